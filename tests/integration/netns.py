"""An impaired network path for fault-injection tests (issue 6): a network namespace reached over a veth pair,
with packet loss, one-way delay and a bandwidth cap on that link only.

Why not `tc netem`: the kernel these tests run on is built without sch_netem (no CONFIG_NET_SCH_NETEM, nor
fq_codel, sfq or red), so each impairment is built from what it has:

- loss: iptables' `statistic` match (`-m statistic --mode random --probability p -j DROP`) inside the namespace,
  on the packets from and to the host side of the veth: each packet is dropped with probability p, as netem's
  `loss p` does.
- delay: iptables' NFQUEUE target inside the namespace hands each packet from the host to a small user-space
  program (this file run as a script, `python3 netns.py delay QUEUE MS`) that accepts it MS milliseconds after it
  arrived, in order: the packets of the very TCP connection Lunora opened are held, as netem's `delay MS` holds
  them on the wire (a user-space TCP proxy would hide the delay from Lunora's own congestion control).
- bandwidth cap: `tc qdisc ... tbf` on the host side of the veth, the direction Lunora sends in.

iptables rather than nft: the kernel has no nft `queue` expression either (no CONFIG_NFT_QUEUE); iptables' xt
NFQUEUE and statistic targets work through either iptables backend. The veth ends have GSO off (gso_max_segs 1)
so that loss and delay act on each TCP segment, not on 64 KiB super-packets.

Every name (namespace, veth, NFQUEUE number, subnet) is unique per process and link, so tests running in parallel
do not meet; `close()` removes everything and is safe to call twice.
"""
import errno
import fcntl
import itertools
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from collections import deque

_counter = itertools.count()
_LOCK = "/tmp/lunora-netns.lock"
_NS_PREFIX = "lunora-fault-"


def _run(*args, check=True):
    out = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def _used_subnets():
    """Third octets of the 10.77.x.0/24 subnets already on an interface of this namespace."""
    used = set()
    for line in _run("ip", "-4", "-o", "addr", "show").splitlines():
        fields = line.split()
        if "inet" in fields:
            addr = fields[fields.index("inet") + 1]
            if addr.startswith("10.77."):
                used.add(int(addr.split(".")[2]))
    return used


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not reaped yet
    except OSError:
        return False


def _remove_stale_links():
    """Removes the links of test processes that died without cleaning up (a timeout's SIGKILL), with what they
    had started inside (their nginx, their delayer): nothing else runs in a namespace named after them."""
    for name in _run("ip", "netns", "list").split():
        match = re.fullmatch(re.escape(_NS_PREFIX) + r"(\d+)-(\d+)", name)
        if not match or _running(int(match[1])):
            continue
        for pid in _run("ip", "netns", "pids", name, check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        _run("ip", "link", "del", f"lf{match[1]}-{match[2]}h", check=False)
        _run("ip", "netns", "del", name, check=False)


class ImpairedLink:
    """A namespace `ns` whose veth end has `peer_ip`; this namespace's end has `host_ip`. A server started with
    `wrapper()` in front of its command runs in the namespace and is reached at `peer_ip` through the link."""

    def __init__(self):
        _remove_stale_links()
        n = next(_counter)
        pid = os.getpid()
        self.ns = f"{_NS_PREFIX}{pid}-{n}"
        self.host_if = f"lf{pid}-{n}h"  # interface names have at most 15 characters
        self.peer_if = f"lf{pid}-{n}p"
        self.queue = (os.getpid() * 8 + n) % 65000
        self.delayer = None
        self.closed = False
        with open(_LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two runs never pick the same subnet
            used = _used_subnets()
            start = (os.getpid() * 7 + n) % 250
            octet = next(1 + (start + i) % 250 for i in range(250) if 1 + (start + i) % 250 not in used)
            self.host_ip = f"10.77.{octet}.1"
            self.peer_ip = f"10.77.{octet}.2"
            try:
                _run("ip", "netns", "add", self.ns)
                _run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.peer_if)
                _run("ip", "link", "set", self.peer_if, "netns", self.ns)
                _run("ip", "addr", "add", f"{self.host_ip}/24", "dev", self.host_if)
                # One TCP segment per packet (no GSO super-packets): loss and delay act per segment, as on a wire.
                _run("ip", "link", "set", self.host_if, "gso_max_segs", "1", "up")
                self.exec("ip", "addr", "add", f"{self.peer_ip}/24", "dev", self.peer_if)
                self.exec("ip", "link", "set", self.peer_if, "gso_max_segs", "1", "up")
                self.exec("ip", "link", "set", "lo", "up")
            except BaseException:
                self.close()
                raise

    def wrapper(self):
        """The command prefix that runs a program inside the namespace."""
        return ["ip", "netns", "exec", self.ns]

    def exec(self, *args, check=True):
        return _run(*self.wrapper(), *args, check=check)

    def loss(self, percent):
        """Drops `percent` % of the packets in each direction between the host and the namespace, at random."""
        p = f"{percent / 100:.4f}"
        self.exec("iptables", "-I", "INPUT", "1", "-s", self.host_ip, "-m", "statistic", "--mode", "random",
                  "--probability", p, "-j", "DROP")
        self.exec("iptables", "-I", "OUTPUT", "1", "-d", self.host_ip, "-m", "statistic", "--mode", "random",
                  "--probability", p, "-j", "DROP")

    def delay(self, ms):
        """Holds every packet from the host for `ms` milliseconds before the namespace receives it."""
        script = os.path.abspath(__file__)
        self.delayer = subprocess.Popen(self.wrapper() + [sys.executable, script, "delay", str(self.queue), str(ms)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        ready = self.delayer.stdout.readline()
        if ready.strip() != "ready":
            self.delayer.wait(5)
            raise AssertionError(f"the delayer did not start: {ready} {self.delayer.stderr.read()}")
        # Appended after the loss rule: a packet that survives the loss is then delayed.
        self.exec("iptables", "-A", "INPUT", "-s", self.host_ip, "-j", "NFQUEUE", "--queue-num", str(self.queue))

    def rate_limit(self, kbit):
        """Caps what the host sends to the namespace at `kbit` kbit/s (a token bucket, 200 ms of queue)."""
        _run("tc", "qdisc", "replace", "dev", self.host_if, "root", "tbf", "rate", f"{kbit}kbit", "burst", "16kb",
             "latency", "200ms")

    def counters(self):
        """{"dropped": packets the loss rules dropped, "delayed": packets handed to the delayer}."""
        out = {"dropped": 0, "delayed": 0}
        for chain in ("INPUT", "OUTPUT"):
            for line in self.exec("iptables", "-L", chain, "-v", "-n", "-x").splitlines()[2:]:
                fields = line.split()
                if len(fields) > 2 and fields[2] == "DROP":
                    out["dropped"] += int(fields[0])
                elif len(fields) > 2 and fields[2] == "NFQUEUE":
                    out["delayed"] += int(fields[0])
        return out

    def tc_stats(self):
        """The token bucket's counters as `tc -s` prints them (sent, dropped, overlimits)."""
        return _run("tc", "-s", "qdisc", "show", "dev", self.host_if)

    def delayer_alive(self):
        return self.delayer is not None and self.delayer.poll() is None

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self.delayer is not None and self.delayer.poll() is None:
            self.delayer.send_signal(signal.SIGTERM)
            try:
                self.delayer.wait(5)
            except subprocess.TimeoutExpired:
                self.delayer.kill()
                self.delayer.wait()
        # Deleting one end of a veth deletes the other; the namespace goes with its last process.
        _run("ip", "link", "del", self.host_if, check=False)
        _run("ip", "netns", "del", self.ns, check=False)


# --- the delayer: NFQUEUE over raw netlink (no libnetfilter_queue binding needed) ---

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def _attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def _message(msg, queue, attrs, flags=NLM_F_REQUEST, seq=0):
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack(">H", queue) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg, flags, seq, 0) + body


def _messages(data):
    """(type, payload after nlmsghdr) of each netlink message in `data`."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind, _, _, _ = struct.unpack_from("=IHHII", data, offset)
        if length < 16:
            return
        yield kind, data[offset + 16:offset + length]
        offset += (length + 3) & ~3


def _attrs(payload):
    offset = 4  # after nfgenmsg
    while offset + 4 <= len(payload):
        length, kind = struct.unpack_from("=HH", payload, offset)
        if length < 4:
            return
        yield kind & 0x3FFF, payload[offset + 4:offset + length]
        offset += (length + 3) & ~3


def _configure(sock, queue, seq, attrs):
    sock.send(_message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK, seq))
    for kind, payload in _messages(sock.recv(65536)):
        if kind == NLMSG_ERROR:
            code = struct.unpack_from("=i", payload)[0]
            if code != 0:
                raise OSError(-code, f"nfqueue config: {os.strerror(-code)}")


def run_delayer(queue, delay_ms):
    """Accepts each packet of NFQUEUE `queue` `delay_ms` after it arrived, in arrival order, until SIGTERM."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind((0, 0))
    _configure(sock, queue, 1, [_attr(NFQA_CFG_CMD, struct.pack("=BB", NFQNL_CFG_CMD_BIND, 0) +
                                      struct.pack(">H", socket.AF_INET))])
    _configure(sock, queue, 2, [_attr(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META)),
                                _attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", 16384))])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    delay = delay_ms / 1000
    held = deque()  # (due time, packet id)
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet_id = held.popleft()
            sock.send(_message(NFQNL_MSG_VERDICT, queue,
                               [_attr(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, packet_id))]))
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 1.0
        if not select.select([sock], [], [], timeout)[0]:
            continue
        try:
            data = sock.recv(1 << 20)
        except OSError as e:
            if e.errno == errno.ENOBUFS:  # the kernel could not hand us some packets: they are lost
                continue
            raise
        arrived = time.monotonic()
        for kind, payload in _messages(data):
            if kind != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                continue
            for attr, value in _attrs(payload):
                if attr == NFQA_PACKET_HDR:
                    held.append((arrived + delay, struct.unpack_from(">I", value)[0]))
                    break


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "delay":
        run_delayer(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit("usage: netns.py delay QUEUE MS")
