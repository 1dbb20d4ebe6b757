"""JSON-schema request models of the Dog Care API (checklist 001#28-31).

The models list the entities' read-only fields too (ids, timestamps, status...), so a client can
send back what it read; the handlers ignore them and take the owner from the token. Create
models require the seed's key fields; update (PUT) models require nothing, because a PUT changes
only the fields it names. Unknown fields are refused by API Gateway before any Lambda runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Schema = Mapping[str, object]

_TEXT: Schema = {"type": "string", "minLength": 1, "maxLength": 200}
_ISO_TIME: Schema = {"type": "string", "minLength": 10, "maxLength": 40}
_READ_ONLY: Mapping[str, Schema] = {
    "id": {"type": "string"},
    "owner_id": {"type": "string"},
    "created_at": {"type": "string"},
    "updated_at": {"type": "string"},
}


def _model(title: str, fields: Mapping[str, Schema], required: Sequence[str] = ()) -> Schema:
    schema: dict[str, object] = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": title,
        "type": "object",
        "properties": {**_READ_ONLY, **fields},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


DOG_FIELDS: Mapping[str, Schema] = {
    "name": _TEXT,
    "breed": _TEXT,
    "age": {"type": "integer", "minimum": 0, "maximum": 40},
    "size": {"type": "string", "enum": ["small", "medium", "large", "giant"]},
    "vaccination_status": {"type": "string", "maxLength": 50},
    "special_needs": {"type": "array", "items": {"type": "string", "maxLength": 200}},
    "emergency_contact": {"type": "string", "maxLength": 32},
}
OWNER_FIELDS: Mapping[str, Schema] = {
    "name": _TEXT,
    "email": {"type": "string", "minLength": 3, "maxLength": 254},
    "phone": {"type": "string", "maxLength": 32},
    "address": {
        "type": "object",
        "properties": {
            k: {"type": "string", "maxLength": 100} for k in ("street", "city", "state", "zip")
        },
        "additionalProperties": False,
    },
    "dogs": {"type": "array", "items": {"type": "string"}},
}
BOOKING_FIELDS: Mapping[str, Schema] = {
    "dog_id": _TEXT,
    "service_type": {"type": "string", "maxLength": 50},
    "start_time": _ISO_TIME,
    "end_time": _ISO_TIME,
    "status": {"type": "string"},
    "price": {"type": "number"},
    "payment_id": {"type": "string"},
    "special_instructions": {"type": "string", "maxLength": 1000},
}
PAYMENT_FIELDS: Mapping[str, Schema] = {
    "booking_id": _TEXT,
    "amount": {"type": "number", "exclusiveMinimum": True, "minimum": 0},
    "currency": {"type": "string", "minLength": 3, "maxLength": 3},
    "payment_method": {"type": "string", "maxLength": 100},
}

DOG = _model("Dog", DOG_FIELDS, ("name", "breed"))
DOG_UPDATE = _model("DogUpdate", DOG_FIELDS)
OWNER = _model("Owner", OWNER_FIELDS, ("name", "email"))
OWNER_UPDATE = _model("OwnerUpdate", OWNER_FIELDS)
BOOKING = _model("Booking", BOOKING_FIELDS, ("dog_id", "service_type", "start_time", "end_time"))
BOOKING_UPDATE = _model("BookingUpdate", BOOKING_FIELDS)
PAYMENT = _model("Payment", PAYMENT_FIELDS, ("booking_id", "amount"))
