"""SQL of the local registry, as literal statements (values always go in as parameters)."""

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS model_versions (
    group_name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    created TEXT NOT NULL,
    artifact_uri TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    metrics TEXT NOT NULL,
    parameters TEXT NOT NULL,
    input_schema TEXT NOT NULL,
    output_schema TEXT NOT NULL,
    provenance TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (group_name, version)
)
"""

TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'model_versions'"

# Files written before training data, code and report were recorded get the column, empty.
HAS_PROVENANCE = "SELECT 1 FROM pragma_table_info('model_versions') WHERE name = 'provenance'"
ADD_PROVENANCE = "ALTER TABLE model_versions ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}'"

MAX_VERSION = "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE group_name = ?"

INSERT = """
INSERT INTO model_versions (group_name, version, status, stage, created, artifact_uri, sha256,
                            metrics, parameters, input_schema, output_schema, provenance)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

_SELECT = """
SELECT group_name, version, status, stage, created, artifact_uri, sha256,
       metrics, parameters, input_schema, output_schema, provenance
FROM model_versions
"""

SELECT_ALL = _SELECT + "WHERE group_name = ? ORDER BY version"
SELECT_ONE = _SELECT + "WHERE group_name = ? AND version = ?"
SELECT_LATEST_APPROVED = (
    _SELECT + "WHERE group_name = ? AND status = 'Approved' ORDER BY version DESC LIMIT 1"
)

SET_STATUS = "UPDATE model_versions SET status = ? WHERE group_name = ? AND version = ?"
SET_STAGE = "UPDATE model_versions SET stage = ? WHERE group_name = ? AND version = ?"

# Deployment state (issue 15). Files written before it get the tables at their first deployment write;
# read-only opens find no table and report "no pointer" / "no history".
CREATE_DEPLOYMENT_TABLES = (
    """
CREATE TABLE IF NOT EXISTS live_versions (
    group_name TEXT PRIMARY KEY,
    live INTEGER,
    candidate INTEGER,
    weight INTEGER NOT NULL DEFAULT 0,
    step INTEGER NOT NULL DEFAULT 0,
    since TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT ''
)
""",
    """
CREATE TABLE IF NOT EXISTS deployments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_name TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_version INTEGER,
    to_version INTEGER,
    weight INTEGER NOT NULL,
    step INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL
)
""",
)
DEPLOYMENT_TABLES_EXIST = (
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('live_versions', 'deployments')"
)
# The canary plan ("10:5,50:5") came after the table: files with the table but not the column get it at
# their next deployment write, and read as no plan until then.
HAS_PLAN = "SELECT COUNT(*) FROM pragma_table_info('live_versions') WHERE name = 'plan'"
ADD_PLAN = "ALTER TABLE live_versions ADD COLUMN plan TEXT NOT NULL DEFAULT ''"
SELECT_LIVE = "SELECT live, candidate, weight, step, since FROM live_versions WHERE group_name = ?"
SELECT_LIVE_PLAN = "SELECT plan FROM live_versions WHERE group_name = ?"
UPSERT_LIVE = """
INSERT INTO live_versions (group_name, live, candidate, weight, step, since, plan)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (group_name) DO UPDATE SET live = excluded.live, candidate = excluded.candidate,
    weight = excluded.weight, step = excluded.step, since = excluded.since, plan = excluded.plan
"""
INSERT_DEPLOYMENT = """
INSERT INTO deployments (group_name, at, actor, action, from_version, to_version, weight, step, outcome,
                         reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
SELECT_DEPLOYMENTS = """
SELECT group_name, at, actor, action, from_version, to_version, weight, step, outcome, reason
FROM deployments WHERE group_name = ? ORDER BY id
"""
