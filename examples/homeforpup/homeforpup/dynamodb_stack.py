"""DynamoDB stack: the 12 HomeForPup tables (000#4-22)."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from petplatform_constructs import DataTable, IndexSpec, ProfilesTable, TableSpec, tables_from_specs
from petplatform_constructs.platform.tagging import apply_standard_tags

from .config import HomeForPupConfig
from .monitoring import monitor


def _by(attribute: str, sort_key: str | None = None) -> IndexSpec:
    return IndexSpec(f"{attribute}-index", partition_key=attribute, sort_key=sort_key)


# The seed names the tables; the checklist proposes their keys and indexes (000#20).
TABLES = (
    TableSpec("dogs", partition_key="dogId", global_indexes=(_by("kennelId"), _by("breed"))),
    TableSpec("kennels", partition_key="kennelId", global_indexes=(_by("ownerId"),)),
    TableSpec("litters", partition_key="litterId", global_indexes=(_by("kennelId"),)),
    TableSpec(
        "messages", partition_key="messageId", global_indexes=(_by("threadId", "createdAt"),)
    ),
    TableSpec(
        "message-threads",
        partition_key="threadId",
        global_indexes=(_by("participantId", "updatedAt"),),
    ),
    TableSpec("favorites", partition_key="favoriteId", global_indexes=(_by("userId"),)),
    TableSpec(
        "activities", partition_key="activityId", global_indexes=(_by("userId", "createdAt"),)
    ),
    TableSpec("breeds", partition_key="breedId", global_indexes=(_by("name"),)),
    TableSpec("breeds-simple", partition_key="id"),
    TableSpec("vet-visits", partition_key="visitId", global_indexes=(_by("dogId", "visitDate"),)),
    TableSpec("veterinarians", partition_key="vetId", global_indexes=(_by("name"),)),
)


class DynamoDBStack(Stack):
    """All tables: on demand, encrypted, PITR and RETAIN in prod-like stages (stage profile)."""

    def __init__(self, scope: Construct, id: str, *, config: HomeForPupConfig) -> None:
        super().__init__(scope, id, description="HomeForPup DynamoDB tables (12)")
        apply_standard_tags(self, service="dynamodb")
        profiles = ProfilesTable(self, "Profiles")  # userId, email-index, stream (000#19)
        self.tables: dict[str, DataTable] = {"profiles": profiles}
        self.tables.update(tables_from_specs(self, TABLES))
        # Table metrics and a throttling alarm per table (000#59).
        self.monitoring = monitor(self, "dynamodb", config, *self.tables.values())
