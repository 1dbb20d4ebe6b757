"""ProfilesTable: the user-profile table preset on DataTable.

A profile is one item per user, read by user id and looked up by email at sign-in, and other
services react to profile changes through its stream.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import require
from petplatform_constructs.data.data_table import DataTable, IndexSpec, TableSettings

__all__ = ["ProfilesTable", "ProfilesTableProps"]


class ProfilesTableProps(TableSettings, total=False):
    """:class:`TableSettings` plus the preset's one shape option."""

    extra_global_indexes: Sequence[IndexSpec]
    """GSIs added after ``email-index``. Default none."""


class ProfilesTable(DataTable):
    """User profiles: partition key ``userId`` (S), GSI ``email-index`` on ``email`` (ALL),
    stream NEW_AND_OLD_IMAGES, short name ``profiles``. Everything else is :class:`DataTable`.

    The ``TableV2`` child has the construct id ``"Table"``, as in every DataTable.

    Args:
        scope: parent construct.
        id: construct id.
        existing_table: wrap an existing profiles table (then only ``export_prefix``,
            ``stage_profile`` and ``naming`` may be given).
        props: :class:`ProfilesTableProps`; ``name`` defaults to ``"profiles"`` (unless
            ``table_name`` or ``existing_table`` is given).
    """

    DEFAULT_NAME = "profiles"
    PARTITION_KEY = "userId"
    EMAIL_INDEX = "email-index"
    EMAIL_ATTRIBUTE = "email"
    STREAM = dynamodb.StreamViewType.NEW_AND_OLD_IMAGES

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_table: dynamodb.ITableV2 | None = None,
        **props: Unpack[ProfilesTableProps],
    ) -> None:
        settings: dict[str, object] = dict(props)
        extra: Sequence[IndexSpec] = props.get("extra_global_indexes") or ()
        settings.pop("extra_global_indexes", None)
        if existing_table is not None:
            require(
                not extra,
                f"ProfilesTable {scope.node.path}/{id}",
                "existing_table",
                existing_table.node.path,
                "an existing resource takes no creation props; remove extra_global_indexes",
            )
            super().__init__(scope, id, existing_table=existing_table, **settings)  # type: ignore[arg-type]
            return
        if "name" not in settings and "table_name" not in settings:
            settings["name"] = self.DEFAULT_NAME
        email_index = IndexSpec(self.EMAIL_INDEX, partition_key=self.EMAIL_ATTRIBUTE)
        super().__init__(
            scope,
            id,
            partition_key=self.PARTITION_KEY,
            global_indexes=(email_index, *extra),
            stream=self.STREAM,
            **settings,  # type: ignore[arg-type]
        )
