"""The webhook body the acknowledgement runs send: the seed guide's sample delivery, with fresh ids per request."""

import json
from pathlib import Path

from bench.http_load import DELIVERY_ID, EVENT_ID

SEED_DELIVERY = Path(__file__).resolve().parent.parent / "tests" / "gateway" / "seed_delivery.json"
# The content is marked as written inside Dimelo (creator_id set): the orchestrator stores the event durably, as
# every event, and then has nothing to do with it, so the run measures the acknowledgement path alone.
WRITER_ID = "bench0000000000000000001"


def write_template(path: Path) -> Path:
    """Writes the delivery with the id placeholders the load tools fill in; returns `path`."""
    delivery = json.loads(SEED_DELIVERY.read_text(encoding="utf-8"))
    delivery["id"] = DELIVERY_ID
    (event,) = delivery["events"]
    event["id"] = EVENT_ID
    event["resource"]["metadata"]["creator_id"] = WRITER_ID
    path.write_text(json.dumps(delivery, ensure_ascii=False), encoding="utf-8")
    return path
