"""deploy/aws/lunora.yaml, the CloudFormation template of `lunora lambda` (docs/aws-lambda.md), checked against
the C++ code it deploys. No network, no AWS: the template is parsed (with CloudFormation's short-form tags) and
src/ is read as text.

- Every !Ref, !GetAtt, ${...} of !Sub and DependsOn names a resource or parameter of the template.
- The function: provided.al2023, handler bootstrap, x86_64, 512 MB, 30 s, one invocation at a time; its settings
  are ones the code reads; its secrets come from Secrets Manager, never from a parameter.
- The DynamoDB table has the key schema src/store/dynamodb requires; the EventBridge rule matches the events
  src/api/lambda takes; nothing in the template makes a MediaLive channel.
- The function role grants exactly the AWS actions the code calls, derived from src/ (DynamoDB operations, the
  MediaLive client's REST calls as the engine makes them, Secrets Manager), plus logs and iam:PassRole.
"""
import glob
import json
import os
import re
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "deploy", "aws", "lunora.yaml")
SRC = os.path.join(ROOT, "src")
MEDIALIVE_MODEL = os.path.join(ROOT, "tests", "services", "node_modules", "aws-sdk", "apis",
                               "medialive-2017-10-14.min.json")

# What every Lambda function needs to write its own logs; and the one iam action, checked on its own below.
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
PASS_ROLE = "iam:PassRole"

# The managed CloudFront policies the /api/* behaviour must use (well-known ids, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

# The AWS services the code signs for (aws_setup(service_id, signing name) in src/app) and the IAM prefix of each.
KNOWN_SIGNING_NAMES = {"dynamodb": "dynamodb", "medialive": "medialive", "secretsmanager": "secretsmanager"}

# Files that use the MediaLive client but are not run by `lunora lambda`: the `lunora medialive check|plan`
# command-line tools (src/app/main.cpp registers them as their own subcommand). Their calls (ListChannels for the
# smoke test) are printed, not granted to the function.
CLI_ONLY_MEDIALIVE_FILES = {"app/medialive_command.cpp", "app/medialive_plan.cpp"}

# Function settings the template sets that src/ does not read, with why they are set anyway (none: every one
# it sets is read).
PENDING_SETTINGS = {}

# MediaLive's REST routes (method, requestUri) -> operation, from its API model medialive-2017-10-14. Used when
# tests/services/node_modules (npm aws-sdk@2, installed by `make test-services`) is not there; when it is, the
# routes come from the model itself and this table is checked against it.
MEDIALIVE_ROUTES = {
    ("POST", "/prod/channels"): "CreateChannel",
    ("GET", "/prod/channels"): "ListChannels",
    ("GET", "/prod/channels/{channelId}"): "DescribeChannel",
    ("PUT", "/prod/channels/{channelId}"): "UpdateChannel",
    ("DELETE", "/prod/channels/{channelId}"): "DeleteChannel",
    ("POST", "/prod/channels/{channelId}/start"): "StartChannel",
    ("POST", "/prod/channels/{channelId}/stop"): "StopChannel",
    ("PUT", "/prod/channels/{channelId}/schedule"): "BatchUpdateSchedule",
    ("PUT", "/prod/channels/{channelId}/channelClass"): "UpdateChannelClass",
    ("POST", "/prod/channels/{channelId}/restartChannelPipelines"): "RestartChannelPipelines",
    ("POST", "/prod/inputs"): "CreateInput",
    ("GET", "/prod/inputs"): "ListInputs",
    ("GET", "/prod/inputs/{inputId}"): "DescribeInput",
    ("PUT", "/prod/inputs/{inputId}"): "UpdateInput",
    ("DELETE", "/prod/inputs/{inputId}"): "DeleteInput",
    ("POST", "/prod/inputSecurityGroups"): "CreateInputSecurityGroup",
    ("GET", "/prod/inputSecurityGroups"): "ListInputSecurityGroups",
    ("GET", "/prod/inputSecurityGroups/{inputSecurityGroupId}"): "DescribeInputSecurityGroup",
    ("PUT", "/prod/inputSecurityGroups/{inputSecurityGroupId}"): "UpdateInputSecurityGroup",
    ("DELETE", "/prod/inputSecurityGroups/{inputSecurityGroupId}"): "DeleteInputSecurityGroup",
    ("POST", "/prod/tags/{resource-arn}"): "CreateTags",
    ("DELETE", "/prod/tags/{resource-arn}"): "DeleteTags",
    ("GET", "/prod/tags/{resource-arn}"): "ListTagsForResource",
}


# --- The template ---------------------------------------------------------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref, !GetAtt, !Sub, ...) as their long forms."""


def _intrinsic(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template():
    with open(TEMPLATE, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader


def walk(node):
    """Every dict and list in the tree, depth first."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def as_list(value):
    return value if isinstance(value, list) else [value]


def is_ref(value, name):
    return value == {"Ref": name}


def is_getatt(value, name, attribute):
    return value == {"Fn::GetAtt": [name, attribute]}


def sub_text(value):
    """The text of a !Sub (either form), or None."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return None


# --- The C++ source -------------------------------------------------------------------------------------------------

def strip_comments(text):
    """C++ text without // and /* */ comments; string and character literals are kept whole ("s3://" stays)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_source(relative):
    with open(os.path.join(SRC, relative), encoding="utf-8") as f:
        return strip_comments(f.read())


def source_files(under="", patterns=("*.cpp", "*.hpp")):
    """Paths relative to src/ of every C++ file under src/<under>."""
    found = []
    for pattern in patterns:
        found += glob.glob(os.path.join(SRC, under, "**", pattern), recursive=True)
    return sorted(os.path.relpath(path, SRC) for path in found)


def call_arguments(text, start):
    """The top-level arguments of the call whose '(' is at text[start], as stripped strings."""
    assert text[start] == "("
    args, depth, current, i = [], 0, [], start
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            current.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return [a for a in args if a]
        elif c == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(c)
        i += 1
    raise AssertionError("unbalanced call at offset %d" % start)


def string_literal(expression):
    m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', expression.strip())
    return m.group(1) if m else None


def dynamodb_operations():
    """DynamoDB operations src/store/dynamodb calls, and the text explaining where they come from.

    The single place: DynamoDbTable::call/send (dynamodb_table.cpp) send every request as
    json_rpc_request(kTargetPrefix, operation, ...), i.e. X-Amz-Target "DynamoDB_20120810.<operation>". The
    operations are the string literals passed as call("Op", ...) / send("Op", ...) anywhere in the store. A call
    whose operation is not a literal cannot be derived and fails the test."""
    table = read_source("store/dynamodb/dynamodb_table.cpp")
    prefix = re.search(r'kTargetPrefix\s*=\s*"([^"]+)"', table)
    assert prefix, "src/store/dynamodb/dynamodb_table.cpp no longer names its kTargetPrefix"
    assert prefix.group(1) == "DynamoDB_20120810", prefix.group(1)
    assert re.search(r"json_rpc_request\(\s*kTargetPrefix\s*,\s*operation\b", table), (
        "DynamoDbTable::send no longer builds json_rpc_request(kTargetPrefix, operation, ...)")
    elsewhere = [f for f in source_files() if f != "store/dynamodb/dynamodb_table.cpp" and
                 "DynamoDB_20120810" in read_source(f)]
    assert not elsewhere, "DynamoDB targets built outside DynamoDbTable: %s" % elsewhere
    operations, odd = set(), []
    for relative in source_files("store/dynamodb"):
        text = read_source(relative)
        for m in re.finditer(r"(?<![\w:])(call|send)\s*(?=\()", text):
            args = call_arguments(text, m.end())
            first = args[0] if args else ""
            literal = string_literal(first)
            if literal is not None:
                operations.add(literal)
            elif first == "operation" or first.startswith("const ") or first == "std::move(request)":
                continue  # call() forwarding to send(), a declaration, AwsClient::send of the built request
            else:
                odd.append("%s: %s(%s, ...)" % (relative, m.group(1), first))
    assert not odd, "DynamoDB calls whose operation is not a literal (the test cannot derive them): %s" % odd
    assert operations, "no DynamoDB operation found in src/store/dynamodb"
    return operations


def dynamodb_key_schema():
    """{attribute: (key type, attribute type)} from table_definition() in dynamodb_schema.cpp."""
    schema = read_source("store/dynamodb/dynamodb_schema.cpp")
    types = dict(re.findall(r'\{"AttributeName",\s*"(\w+)"\},\s*\{"AttributeType",\s*"(\w)"\}', schema))
    keys = dict(re.findall(r'\{"AttributeName",\s*"(\w+)"\},\s*\{"KeyType",\s*"(HASH|RANGE)"\}', schema))
    assert keys and set(keys) == set(types), (keys, types)
    return {name: (keys[name], types[name]) for name in keys}


def medialive_routes():
    """(method, requestUri with {} for every label) -> operation: from the API model when it is installed."""
    table = {(method, re.sub(r"\{[^}]*\}", "{}", uri)): op for (method, uri), op in MEDIALIVE_ROUTES.items()}
    if not os.path.exists(MEDIALIVE_MODEL):
        return table, "built-in route table (tests/services/node_modules not installed)"
    with open(MEDIALIVE_MODEL, encoding="utf-8") as f:
        model = json.load(f)
    routes = {}
    for name, operation in model["operations"].items():
        http = operation["http"]
        routes[(http.get("method", "POST"), re.sub(r"\{[^}]*\}", "{}", http["requestUri"]))] = name
    disagree = {k: (v, routes.get(k)) for k, v in table.items() if routes.get(k) != v}
    assert not disagree, "MEDIALIVE_ROUTES disagrees with %s: %s" % (MEDIALIVE_MODEL, disagree)
    return routes, "medialive-2017-10-14.min.json"


def path_of(expression, constants):
    """The path a C++ expression builds: literals and constants kept, anything else a {} label."""
    parts = []
    for term in re.split(r"\s*\+\s*", expression.strip()):
        m = re.fullmatch(r"std::string\((\w+)\)", term)
        if m:
            term = m.group(1)
        literal = string_literal(term)
        if literal is not None:
            parts.append(literal)
        elif term in constants:
            parts.append(constants[term])
        else:
            parts.append("{}")
    return "".join(parts)


def medialive_client_operations():
    """{MediaLiveClient method: MediaLive operation}, from the rest_json_request(method, path) each one sends.

    src/aws/medialive/medialive_client.cpp has no table of operation names: each method builds its request with
    rest_json_request("METHOD", path expression). The path expression is rebuilt (string literals, the file's
    constexpr paths, any variable as a {label}) and looked up in MediaLive's REST routes."""
    text = read_source("aws/medialive/medialive_client.cpp")
    constants = dict(re.findall(r'constexpr\s+const\s+char\s*\*\s*(\w+)\s*=\s*"([^"]*)"', text))
    routes, _ = medialive_routes()
    definitions = list(re.finditer(r"MediaLiveClient::(\w+)\s*\(", text))
    methods, unknown = {}, []
    for i, definition in enumerate(definitions):
        body = text[definition.end():definitions[i + 1].start() if i + 1 < len(definitions) else len(text)]
        requests = list(re.finditer(r"rest_json_request\s*(?=\()", body))
        if not requests:
            continue  # the private call() that sends them
        assert len(requests) == 1, "%s builds several requests" % definition.group(1)
        args = call_arguments(body, requests[0].end())
        verb = string_literal(args[0])
        path = path_of(args[1], constants)
        operation = routes.get((verb, path))
        if operation is None:
            unknown.append("%s: %s %s" % (definition.group(1), verb, path))
        else:
            methods[definition.group(1)] = operation
    assert not unknown, "MediaLive requests that match no route of MediaLive's API: %s" % unknown
    assert methods, "no MediaLive request found in src/aws/medialive/medialive_client.cpp"
    return methods


def medialive_calls(files, methods):
    """{method: [files]} of the MediaLive client methods called in `files` (relative to src/)."""
    called = {}
    for relative in files:
        text = read_source(relative)
        for m in re.finditer(r"(?:\.|->)\s*(\w+)\s*\(", text):
            if m.group(1) in methods:
                called.setdefault(m.group(1), set()).add(relative)
    return called


def medialive_operations():
    """(operations `lunora lambda` calls, report text): the client methods the MediaLive engine calls.

    `lunora lambda` reaches MediaLive only through src/engine (LambdaWorld -> make_medialive_engine): the calls are
    the client's methods called there (any receiver: src/engine has no other method of those names). Every file
    including medialive_client.hpp must be the client, the engine, or one of the CLI-only tools."""
    methods = medialive_client_operations()
    users = [f for f in source_files() if '"aws/medialive/medialive_client.hpp"' in read_source(f)]
    unclassified = [f for f in users if not (f.startswith("aws/medialive/") or f.startswith("engine/") or
                                             f in CLI_ONLY_MEDIALIVE_FILES)]
    assert not unclassified, (
        "files using the MediaLive client that this test does not know whether `lunora lambda` runs: %s" %
        unclassified)
    main = read_source("app/main.cpp")
    assert "register_medialive_command" in main, "src/app/main.cpp no longer registers `lunora medialive`"
    engine = medialive_calls(source_files("engine"), methods)
    cli = medialive_calls(sorted(CLI_ONLY_MEDIALIVE_FILES), methods)
    operations = {methods[name] for name in engine}
    cli_only = sorted({methods[name] for name in cli} - operations)
    uncalled = sorted(methods[name] for name in set(methods) - set(engine) - set(cli))
    bodies = "".join(read_source(f) for f in source_files("engine/medialive"))
    # Tag-on-create: a create request carrying tags is also authorized as medialive:CreateTags.
    if re.search(r'"tags"', bodies):
        operations.add("CreateTags")
    report = ("client methods -> operations: %s; called by src/engine: %s; only by `lunora medialive` tools "
              "(not granted): %s; never called (not granted): %s" %
              (dict(sorted(methods.items())), sorted(operations), cli_only, uncalled))
    return operations, report, bool(re.search(r'"roleArn"', bodies))


def json_rpc_operations(signing_prefix):
    """Operations sent as json_rpc_request("<prefix>", "Op") or named as "<prefix>.Op" anywhere in src/."""
    found = set()
    for relative in source_files():
        text = read_source(relative)
        found.update(re.findall(r'json_rpc_request\(\s*"%s"\s*,\s*"(\w+)"' % re.escape(signing_prefix), text))
        found.update(re.findall(r'"%s\.(\w+)"' % re.escape(signing_prefix), text))
    return found


def signing_names():
    """The services src/ signs requests for: aws_setup("Service", "signing-name")."""
    names = set()
    for relative in source_files():
        names.update(re.findall(r'aws_setup\(\s*"[^"]+"\s*,\s*"([^"]+)"', read_source(relative)))
    return names


def settings_read_by_code():
    """Every LUNORA_* variable src/ reads: the literal names, and LUNORA_<KEY> of every key of serve_settings."""
    names = set()
    for relative in source_files():
        names.update(re.findall(r'"(LUNORA_[A-Z0-9_]+)"', read_source(relative)))
    settings = read_source("app/serve_settings.cpp")
    names.update("LUNORA_" + key.upper() for key in re.findall(r'\{"(\w+)",\s*\n?\s*\[\]\(ServeSettings&', settings))
    return names


# --- The tests ------------------------------------------------------------------------------------------------------

class DeployTemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template()
        cls.resources = cls.template["Resources"]
        cls.parameters = cls.template.get("Parameters", {})

    def of_type(self, kind):
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    def one(self, kind):
        found = self.of_type(kind)
        self.assertEqual(len(found), 1, "expected one %s, found %s" % (kind, sorted(found)))
        return next(iter(found.items()))

    def function(self):
        return self.one("AWS::Lambda::Function")

    def function_role(self):
        _, function = self.function()
        role = function["Properties"]["Role"]
        self.assertIn("Fn::GetAtt", role, "the function's Role must be a role of this template")
        name = role["Fn::GetAtt"][0]
        self.assertEqual(self.resources[name]["Type"], "AWS::IAM::Role")
        return name, self.resources[name]

    def statements(self, role):
        props = role["Properties"]
        self.assertNotIn("ManagedPolicyArns", props, "no managed policy: they grant more than the code calls")
        found = []
        for policy in props.get("Policies", []):
            found += as_list(policy["PolicyDocument"]["Statement"])
        return found

    # -- references ------------------------------------------------------------------------------------------------

    def test_references_name_defined_resources_and_parameters(self):
        names = set(self.resources) | set(self.parameters)
        bad = []
        for node in walk(self.template):
            if not isinstance(node, dict):
                continue
            if "Ref" in node and isinstance(node["Ref"], str):
                if not node["Ref"].startswith("AWS::") and node["Ref"] not in names:
                    bad.append("!Ref %s" % node["Ref"])
            if "Fn::GetAtt" in node:
                target = node["Fn::GetAtt"][0]
                if target not in self.resources:
                    bad.append("!GetAtt %s" % ".".join(node["Fn::GetAtt"]))
            if "Fn::Sub" in node:
                sub = node["Fn::Sub"]
                text, local = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
                for variable in re.findall(r"\$\{([^}!][^}]*)\}", text):
                    base, _, attribute = variable.partition(".")
                    if base.startswith("AWS::") or base in local:
                        continue
                    if base not in names or (attribute and base not in self.resources):
                        bad.append("!Sub ${%s}" % variable)
        for name, resource in self.resources.items():
            for target in as_list(resource.get("DependsOn", [])):
                if target not in self.resources:
                    bad.append("%s DependsOn %s" % (name, target))
        self.assertEqual(bad, [], "references to nothing defined in %s" % TEMPLATE)

    # -- the function ----------------------------------------------------------------------------------------------

    def test_function_is_the_custom_runtime_one_at_a_time(self):
        _, function = self.function()
        props = function["Properties"]
        self.assertEqual(props["Runtime"], "provided.al2023")
        self.assertEqual(props["Handler"], "bootstrap")
        self.assertEqual(props.get("Architectures", ["x86_64"]), ["x86_64"])
        self.assertEqual(props["MemorySize"], 512)
        self.assertEqual(props["Timeout"], 30)
        self.assertEqual(props["ReservedConcurrentExecutions"], 1,
                         "one invocation at a time: Lunora's Lambda mode is one writer")
        code = props["Code"]
        self.assertEqual(set(code), {"S3Bucket", "S3Key"})
        for value in code.values():
            self.assertIn("Ref", value)
            self.assertIn(value["Ref"], self.parameters, "the zip's bucket and key are parameters")

    def test_function_settings_are_read_by_the_code(self):
        _, function = self.function()
        variables = function["Properties"]["Environment"]["Variables"]
        store = sub_text(variables["LUNORA_STORE"])
        table, _ = self.one("AWS::DynamoDB::Table")
        self.assertEqual(store, "dynamodb:${%s}" % table)
        read = settings_read_by_code()
        unread = sorted(set(variables) - read - set(PENDING_SETTINGS))
        self.assertEqual(unread, [], "function settings no code reads (read: %s)" % sorted(read))
        truthy = str(variables.get("LUNORA_CREATE_TABLE", "false")).lower() in ("1", "true", "yes", "on")
        self.assertFalse(truthy, "the table is made by the template: the function must not create it")

    def test_no_parameter_holds_a_secret(self):
        for name, parameter in self.parameters.items():
            self.assertFalse(parameter.get("NoEcho", False),
                             "parameter %s is NoEcho: secrets are Secrets Manager resources here" % name)
            lowered = name.lower()
            self.assertNotRegex(lowered, r"token|secret|password|passphrase",
                                "parameter %s looks like a secret" % name)
            if "key" in lowered:
                self.assertIn("s3key", lowered, "parameter %s looks like a secret key" % name)
        _, function = self.function()
        variables = function["Properties"]["Environment"]["Variables"]
        for plain in ("LUNORA_API_TOKEN", "LUNORA_SECRET_KEY"):
            self.assertNotIn(plain, variables, "%s would be visible in the function's configuration" % plain)

    def test_secrets_are_generated_and_named_to_the_function(self):
        secrets = self.of_type("AWS::SecretsManager::Secret")
        self.assertEqual(len(secrets), 2, sorted(secrets))
        _, function = self.function()
        variables = function["Properties"]["Environment"]["Variables"]
        token, key = variables["LUNORA_API_TOKEN_SECRET_ARN"], variables["LUNORA_SECRET_KEY_SECRET_ARN"]
        self.assertIn(token.get("Ref"), secrets)
        self.assertIn(key.get("Ref"), secrets)
        self.assertNotEqual(token, key)
        for secret in secrets.values():
            self.assertNotIn("SecretString", secret["Properties"], "a secret's value is generated, never written")
        token_spec = secrets[token["Ref"]]["Properties"]["GenerateSecretString"]
        self.assertEqual(token_spec["PasswordLength"], 40)
        self.assertTrue(token_spec["ExcludePunctuation"])
        key_spec = secrets[key["Ref"]]["Properties"]["GenerateSecretString"]
        self.assertEqual(key_spec["PasswordLength"], 64)
        self.assertTrue(key_spec["ExcludePunctuation"])
        self.assertTrue(key_spec["ExcludeUppercase"])
        # What Secrets Manager can then generate: digits and the lower-case letters not excluded.
        alphabet = set("0123456789abcdefghijklmnopqrstuvwxyz") - set(key_spec["ExcludeCharacters"])
        self.assertEqual(alphabet, set("0123456789abcdef"), "the secret key must be 64 hex characters")
        self.assertIn("64 hex characters", read_source("control/secret_box.cpp"))

    def test_no_medialive_resource(self):
        kinds = sorted({r["Type"] for r in self.resources.values()})
        self.assertEqual([k for k in kinds if k.startswith("AWS::MediaLive::")], [],
                         "a MediaLive channel costs while it runs: Lunora makes them at run time")
        custom = [k for k in kinds if k.startswith("Custom::") or k == "AWS::CloudFormation::CustomResource"]
        self.assertEqual(custom, [], "no custom resource (one could make MediaLive channels)")

    # -- state, events, API ----------------------------------------------------------------------------------------

    def test_table_has_the_key_schema_of_the_store(self):
        _, table = self.one("AWS::DynamoDB::Table")
        props = table["Properties"]
        expected = dynamodb_key_schema()
        types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        keys = {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]}
        self.assertEqual({n: (keys.get(n), types.get(n)) for n in set(keys) | set(types)}, expected,
                         "the key schema src/store/dynamodb/dynamodb_schema.cpp checks")
        self.assertEqual(props["BillingMode"], "PAY_PER_REQUEST")
        store = "".join(read_source(f) for f in source_files("store/dynamodb"))
        self.assertNotIn("IndexName", store, "the store queries an index now: add it and its ARN to the role")
        self.assertNotIn("GlobalSecondaryIndexes", props)
        self.assertNotIn("LocalSecondaryIndexes", props)

    def test_event_rules_match_what_the_function_takes(self):
        events = read_source("api/lambda/lambda_event.cpp")
        source, detail = re.search(r'source == "([^"]+)" && type == "([^"]+)"', events).groups()
        rules = self.of_type("AWS::Events::Rule")
        function, _ = self.function()
        patterns = [r for r in rules.values() if "EventPattern" in r["Properties"]]
        schedules = [r for r in rules.values() if "ScheduleExpression" in r["Properties"]]
        self.assertEqual(len(patterns), 1)
        self.assertEqual(len(schedules), 1)
        self.assertEqual(patterns[0]["Properties"]["EventPattern"], {"source": [source], "detail-type": [detail]})
        self.assertEqual(schedules[0]["Properties"]["ScheduleExpression"], "rate(1 minute)")
        permissions = self.of_type("AWS::Lambda::Permission").values()
        for name, rule in rules.items():
            targets = rule["Properties"]["Targets"]
            self.assertEqual([t["Arn"] for t in targets], [{"Fn::GetAtt": [function, "Arn"]}])
            allowed = [p for p in permissions if p["Properties"]["Principal"] == "events.amazonaws.com" and
                       is_getatt(p["Properties"].get("SourceArn"), name, "Arn")]
            self.assertEqual(len(allowed), 1, "rule %s needs its Lambda permission" % name)

    def test_http_api_proxies_everything_with_payload_2(self):
        api, props = self.one("AWS::ApiGatewayV2::Api")
        self.assertEqual(props["Properties"]["ProtocolType"], "HTTP")
        function, _ = self.function()
        integration_name, integration = self.one("AWS::ApiGatewayV2::Integration")
        ip = integration["Properties"]
        self.assertEqual(ip["IntegrationType"], "AWS_PROXY")
        self.assertEqual(ip["PayloadFormatVersion"], "2.0")
        self.assertEqual(ip["IntegrationUri"], {"Fn::GetAtt": [function, "Arn"]})
        _, route = self.one("AWS::ApiGatewayV2::Route")
        self.assertEqual(route["Properties"]["RouteKey"], "$default")
        self.assertEqual(sub_text(route["Properties"]["Target"]), "integrations/${%s}" % integration_name)
        _, stage = self.one("AWS::ApiGatewayV2::Stage")
        # $default: no stage name in rawPath, so the function sees /api/v1/... as its routes expect.
        self.assertEqual(stage["Properties"]["StageName"], "$default")
        self.assertTrue(stage["Properties"]["AutoDeploy"])
        permissions = [p for p in self.of_type("AWS::Lambda::Permission").values()
                       if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
        self.assertEqual(len(permissions), 1)
        self.assertIn("${%s}" % api, sub_text(permissions[0]["Properties"]["SourceArn"]))

    def test_bucket_is_private_and_served_by_cloudfront(self):
        bucket_name, bucket = self.one("AWS::S3::Bucket")
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        self.assertEqual(block, {k: True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                                   "RestrictPublicBuckets")})
        distribution_name, distribution = self.one("AWS::CloudFront::Distribution")
        config = distribution["Properties"]["DistributionConfig"]
        origins = {o["Id"]: o for o in config["Origins"]}
        oac, _ = self.one("AWS::CloudFront::OriginAccessControl")
        s3_origins = [o for o in origins.values() if "S3OriginConfig" in o]
        self.assertTrue(s3_origins)
        for origin in s3_origins:
            self.assertEqual(origin["DomainName"], {"Fn::GetAtt": [bucket_name, "RegionalDomainName"]})
            self.assertEqual(origin["OriginAccessControlId"], {"Fn::GetAtt": [oac, "Id"]})
        default = config["DefaultCacheBehavior"]
        self.assertIn("S3OriginConfig", origins[default["TargetOriginId"]], "the default behaviour is the GUI")
        api_behaviours = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
        self.assertEqual(len(api_behaviours), 1)
        api = api_behaviours[0]
        api_name, _ = self.one("AWS::ApiGatewayV2::Api")
        self.assertIn("${%s}" % api_name, sub_text(origins[api["TargetOriginId"]]["DomainName"]))
        self.assertEqual(api["CachePolicyId"], CACHING_DISABLED)
        self.assertEqual(api["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST)
        self.assertEqual(set(api["AllowedMethods"]), {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"})
        policies = self.of_type("AWS::S3::BucketPolicy")
        self.assertEqual(len(policies), 1)
        for statement in as_list(next(iter(policies.values()))["Properties"]["PolicyDocument"]["Statement"]):
            self.assertEqual(statement["Principal"], {"Service": "cloudfront.amazonaws.com"})
            self.assertEqual(as_list(statement["Action"]), ["s3:GetObject"])
            source = sub_text(statement["Condition"]["StringEquals"]["AWS:SourceArn"])
            self.assertIn("distribution/${%s}" % distribution_name, source)

    def test_medialive_role_writes_hls_only(self):
        _, function = self.function()
        role_name = function["Properties"]["Environment"]["Variables"]["LUNORA_MEDIALIVE_ROLE_ARN"]["Fn::GetAtt"][0]
        role = self.resources[role_name]
        trust = as_list(role["Properties"]["AssumeRolePolicyDocument"]["Statement"])
        self.assertEqual([s["Principal"] for s in trust], [{"Service": "medialive.amazonaws.com"}])
        bucket_name, _ = self.one("AWS::S3::Bucket")
        for statement in self.statements(role):
            for action in as_list(statement["Action"]):
                self.assertRegex(action, r"^s3:[A-Za-z]+$", "MediaLive's role: S3 only, no wildcard")
            for resource in as_list(statement["Resource"]):
                self.assertNotEqual(resource, "*")
                text = sub_text(resource)
                if text is not None:
                    self.assertTrue(text.startswith("${%s.Arn}/hls/" % bucket_name), text)
                else:
                    self.assertEqual(resource, {"Fn::GetAtt": [bucket_name, "Arn"]})

    # -- the function role against the code ------------------------------------------------------------------------

    def derived_actions(self):
        """{iam action: why} for every AWS call of src/ the function makes, and a report of the derivation."""
        _, function = self.function()
        variables = function["Properties"]["Environment"]["Variables"]
        unknown = sorted(signing_names() - set(KNOWN_SIGNING_NAMES))
        self.assertEqual(unknown, [], "src/ signs for AWS services this test does not derive actions for")
        actions, report = {}, []
        dynamodb = dynamodb_operations()
        create_table_unset = str(variables.get("LUNORA_CREATE_TABLE", "false")).lower() not in ("1", "true")
        for op in sorted(dynamodb):
            if op == "CreateTable" and create_table_unset:
                continue  # only with --create-table / LUNORA_CREATE_TABLE; the template makes the table
            actions["dynamodb:" + op] = "src/store/dynamodb"
        report.append("DynamoDB operations in src/store/dynamodb: %s (CreateTable only with create_table)" %
                      sorted(dynamodb))
        medialive, medialive_report, passes_role = medialive_operations()
        for op in sorted(medialive):
            actions["medialive:" + op] = "src/engine/medialive via src/aws/medialive"
        report.append("MediaLive (%s): %s" % (medialive_routes()[1], medialive_report))
        if passes_role:
            actions[PASS_ROLE] = "CreateChannel/UpdateChannel carry roleArn"
        secrets = json_rpc_operations("secretsmanager")
        arns = sorted(v for v in variables if v.endswith("_SECRET_ARN"))
        if arns and "GetSecretValue" not in secrets:
            self.fail("the template names secrets to the function (%s) but the code does not read the secrets yet:"
                      " no secretsmanager GetSecretValue call in src/" % arns)
        for variable in arns:
            self.assertIn(variable, settings_read_by_code(), "%s is set but src/ never reads it" % variable)
        for op in sorted(secrets):
            actions["secretsmanager:" + op] = "src/aws/secrets_manager.cpp"
        report.append("Secrets Manager operations in src/: %s" % sorted(secrets))
        return actions, "\n".join(report)

    def test_function_role_grants_exactly_what_the_code_calls(self):
        derived, report = self.derived_actions()
        _, role = self.function_role()
        granted = {}
        for statement in self.statements(role):
            self.assertEqual(statement["Effect"], "Allow")
            self.assertNotIn("NotAction", statement)
            self.assertNotIn("NotResource", statement)
            for action in as_list(statement["Action"]):
                self.assertNotIn("*", action, "no wildcard actions")
                granted[action] = statement
        expected = set(derived) | LOG_ACTIONS | {PASS_ROLE}
        message = ("\nderived from src/:\n%s\nexpected actions: %s\ngranted actions: %s" %
                   (report, sorted(expected), sorted(granted)))
        self.assertEqual(sorted(set(granted) - expected), [], "granted but not called by the code" + message)
        self.assertEqual(sorted(expected - set(granted)), [], "called by the code but not granted" + message)

    def test_function_role_resources_are_its_own(self):
        _, role = self.function_role()
        table, _ = self.one("AWS::DynamoDB::Table")
        secrets = sorted(self.of_type("AWS::SecretsManager::Secret"))
        _, function = self.function()
        log_group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        medialive_role = function["Properties"]["Environment"]["Variables"]["LUNORA_MEDIALIVE_ROLE_ARN"]
        for statement in self.statements(role):
            services = {a.split(":")[0] for a in as_list(statement["Action"])}
            self.assertEqual(len(services), 1, "one service per statement: %s" % statement["Action"])
            service = services.pop()
            resources = as_list(statement["Resource"])
            self.assertNotIn("*", resources, "no action on every resource (%s)" % statement["Action"])
            if service == "dynamodb":
                self.assertEqual(resources, [{"Fn::GetAtt": [table, "Arn"]}])
            elif service == "secretsmanager":
                self.assertEqual(sorted(r["Ref"] for r in resources), secrets)
            elif service == "logs":
                self.assertEqual(resources, [{"Fn::GetAtt": [log_group, "Arn"]}])
            elif service == "iam":
                self.assertEqual(resources, [medialive_role])
                self.assertEqual(statement["Condition"],
                                 {"StringEquals": {"iam:PassedToService": "medialive.amazonaws.com"}})
            elif service == "medialive":
                self.assertEqual([sub_text(r) for r in resources],
                                 ["arn:${AWS::Partition}:medialive:${AWS::Region}:${AWS::AccountId}:*"])
            else:
                self.fail("a statement for %s, which the code does not call" % service)
        attached = [name for name, r in self.resources.items()
                    if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")]
        self.assertEqual(attached, [], "policies outside the roles escape the action check")


if __name__ == "__main__":
    unittest.main()
