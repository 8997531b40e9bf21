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
    PRIMARY KEY (group_name, version)
)
"""

TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'model_versions'"

MAX_VERSION = "SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE group_name = ?"

INSERT = """
INSERT INTO model_versions (group_name, version, status, stage, created, artifact_uri, sha256,
                            metrics, parameters, input_schema, output_schema)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

_SELECT = """
SELECT group_name, version, status, stage, created, artifact_uri, sha256,
       metrics, parameters, input_schema, output_schema
FROM model_versions
"""

SELECT_ALL = _SELECT + "WHERE group_name = ? ORDER BY version"
SELECT_ONE = _SELECT + "WHERE group_name = ? AND version = ?"
SELECT_LATEST_APPROVED = (
    _SELECT + "WHERE group_name = ? AND status = 'Approved' ORDER BY version DESC LIMIT 1"
)

SET_STATUS = "UPDATE model_versions SET status = ? WHERE group_name = ? AND version = ?"
SET_STAGE = "UPDATE model_versions SET stage = ? WHERE group_name = ? AND version = ?"
