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


def item_graph(report: dict[str, Any], origin: str) -> dict[str, Any]:
    """The JSON-LD document for one item, from chain_of_custody.build(...)."""
    ids = _Ids(origin)
    item = report["item"]
    item_id = str(item["item_id"])
    graph: list[dict[str, Any]] = []
    subject = ids("item", item_id)
    graph.append(
        {
            "@id": subject,
            "@type": "uco-observable:ObservableObject",
            "uco-core:name": item_id,
            "uco-core:description": str(item["description"]),
            "brady:category": str(item["category"]),
            "brady:seal": list(item["seals"]),
            "brady:caseNumber": [n for c in item["cases"] for n in c["numbers"]],
            "brady:case": [c["case_id"] for c in item["cases"]],
        }
    )
    files = []
    for f in item["files"]:
        fid = ids("file", str(f["sha256"]))
        files.append(fid)
        graph.append(
            {
                "@id": fid,
                "@type": "uco-observable:File",
                "uco-core:hasFacet": [
                    {
                        "@id": ids("file-facet", str(f["sha256"])),
                        "@type": "uco-observable:FileFacet",
                        "uco-observable:fileName": str(f["name"]),
                        "uco-observable:sizeInBytes": int(f["size"]),
                    },
                    {
                        "@id": ids("content-facet", str(f["sha256"])),
                        "@type": "uco-observable:ContentDataFacet",
                        "uco-observable:hash": [
                            {
                                "@id": ids("hash", str(f["sha256"])),
                                "@type": "uco-types:Hash",
                                # A plain string since UCO 1.4 (the vocabulary-typed form
                                # is deprecated and an error in UCO 2).
                                "uco-types:hashMethod": "SHA256",
                                "uco-types:hashValue": {
                                    "@type": "xsd:hexBinary",
                                    "@value": str(f["sha256"]).upper(),
                                },
                            }
                        ],
                    },
                ],
            }
        )
    people: dict[str, str] = {}
    previous: str | None = None
    for n, step in enumerate(report["steps"]):
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
                "uco-core:object": [_ref(subject), *(_ref(f) for f in files)],
            }
        )
        action: dict[str, Any] = {
            "@id": ids("action", f"{item_id}/{step.seq}"),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": step.kind,
            "uco-core:description": step.what,
            "uco-action:startTime": _time(step.occurred_at),
            "uco-action:endTime": _time(step.occurred_at),
            "uco-action:performer": _ref(people[actor]),
            "uco-action:result": [_ref(record)],
            "brady:ledgerPosition": step.seq,
            "brady:recordedAt": step.recorded_at,
            "brady:signedByKey": step.key_id,
            "brady:signatureVerified": step.signature_ok,
            "brady:inclusionProved": step.proved,
        }
        if previous is not None:
            action["uco-action:object"] = [_ref(previous)]
        graph.append(action)
        previous = record
    return {"@context": CONTEXT, "@graph": graph}
