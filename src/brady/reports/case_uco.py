"""An item's custody trail as CASE/UCO JSON-LD (caseontology.org), for forensic tools.

Each recorded step is a `case-investigation:InvestigativeAction` (who, when, what)
that takes the item's previous `ProvenanceRecord` and produces the next, so the chain
reads as CASE's own examples do; files are `uco-observable:File` objects with their
SHA-256. What CASE has no term for (the ledger position and signing key of each step,
seals, case numbers, the step's kind in Brady) is stated in Brady's namespace. Built
from the same checked data as the chain-of-custody report (chain_of_custody.build), so
the two never disagree. Identifiers are UUIDs derived from the ledger's origin and the
thing they name, so exporting twice gives the same graph.
"""

from __future__ import annotations

import uuid
from typing import Any

from .chain_of_custody import Step

BRADY_NS = "https://brady-evidence.org/ns/custody/"

CONTEXT = {
    "brady": BRADY_NS,
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def _time(text: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": text}


class _Ids:
    def __init__(self, origin: str) -> None:
        self.base = f"https://{origin.strip('/')}/"
        self.origin = origin

    def __call__(self, kind: str, name: str) -> str:
        return f"{self.base}{kind}-{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.origin}/{kind}/{name}')}"


def _item_node(ids: _Ids, item: dict[str, Any]) -> dict[str, Any]:
    """The item itself, with what CASE has no term for (seals, cases) in Brady's terms."""
    item_id = str(item["item_id"])
    return {
        "@id": ids("item", item_id),
        "@type": "uco-observable:ObservableObject",
        "uco-core:name": item_id,
        "uco-core:description": str(item["description"]),
        "brady:category": str(item["category"]),
        "brady:seal": list(item["seals"]),
        "brady:caseNumber": [n for c in item["cases"] for n in c["numbers"]],
        "brady:case": [c["case_id"] for c in item["cases"]],
    }


def _file_node(ids: _Ids, f: dict[str, Any]) -> dict[str, Any]:
    """An attached file as a UCO File: its name and size, and its SHA-256 for a forensic
    tool to check the copy it holds against."""
    sha256 = str(f["sha256"])
    return {
        "@id": ids("file", sha256),
        "@type": "uco-observable:File",
        "uco-core:hasFacet": [
            {
                "@id": ids("file-facet", sha256),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": str(f["name"]),
                "uco-observable:sizeInBytes": int(f["size"]),
            },
            {
                "@id": ids("content-facet", sha256),
                "@type": "uco-observable:ContentDataFacet",
                "uco-observable:hash": [
                    {
                        "@id": ids("hash", sha256),
                        "@type": "uco-types:Hash",
                        # A plain string since UCO 1.4 (the vocabulary-typed form
                        # is deprecated and an error in UCO 2).
                        "uco-types:hashMethod": "SHA256",
                        "uco-types:hashValue": {
                            "@type": "xsd:hexBinary",
                            "@value": sha256.upper(),
                        },
                    }
                ],
            },
        ],
    }


def _action_node(
    ids: _Ids, item_id: str, step: Step, performer: str, record: str, previous: str | None
) -> dict[str, Any]:
    """One recorded step as an InvestigativeAction: it takes the item's previous
    provenance record (none for the first step) and produces `record`; the ledger's
    own checks of the step are stated in Brady's namespace."""
    action: dict[str, Any] = {
        "@id": ids("action", f"{item_id}/{step.seq}"),
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": step.kind,
        "uco-core:description": step.what,
        "uco-action:startTime": _time(step.occurred_at),
        "uco-action:endTime": _time(step.occurred_at),
        "uco-action:performer": _ref(performer),
        "uco-action:result": [_ref(record)],
        "brady:ledgerPosition": step.seq,
        "brady:recordedAt": step.recorded_at,
        "brady:signedByKey": step.key_id,
        "brady:signatureVerified": step.signature_ok,
        "brady:inclusionProved": step.proved,
    }
    if previous is not None:
        action["uco-action:object"] = [_ref(previous)]
    return action


def _steps_graph(
    ids: _Ids, item_id: str, steps: list[Step], objects: list[str]
) -> list[dict[str, Any]]:
    """The chain itself: each performer once, and for each step the provenance record it
    produces (the item and its files, `objects`, after that step) and the action."""
    graph: list[dict[str, Any]] = []
    people: dict[str, str] = {}
    previous: str | None = None
    for n, step in enumerate(steps):
        assert isinstance(step, Step)
        actor = step.actor
        if actor not in people:
            people[actor] = ids("identity", actor)
            graph.append(
                {"@id": people[actor], "@type": "uco-identity:Identity", "uco-core:name": actor}
            )
        record = ids("provenance", f"{item_id}/{step.seq}")
        graph.append(
            {
                "@id": record,
                "@type": "case-investigation:ProvenanceRecord",
                "case-investigation:exhibitNumber": item_id,
                "uco-core:description": f"{item_id} after step {n + 1}: {step.what}",
                "uco-core:object": [_ref(o) for o in objects],
            }
        )
        graph.append(_action_node(ids, item_id, step, people[actor], record, previous))
        previous = record
    return graph


def item_graph(report: dict[str, Any], origin: str) -> dict[str, Any]:
    """The JSON-LD document for one item, from chain_of_custody.build(...)."""
    ids = _Ids(origin)
    item = report["item"]
    subject = _item_node(ids, item)
    files = [_file_node(ids, f) for f in item["files"]]
    objects = [subject["@id"], *(f["@id"] for f in files)]
    steps = _steps_graph(ids, str(item["item_id"]), report["steps"], objects)
    return {"@context": CONTEXT, "@graph": [subject, *files, *steps]}
