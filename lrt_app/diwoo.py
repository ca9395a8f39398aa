"""DiWoo metadata (Digitale infrastructuur Wet open overheid, version 0.9.8): the `.xml`
beside each published document, by which open.overheid.nl indexes a Woo publication.

One `<diwoo:Document>` per published PDF: the publisher and the responsible organisation
(verantwoordelijke), both the table's secretariat, named by their TOOI identifier where
the organisation has one recorded (`lrt org tooi`); the official title; the Woo
information category and the document kind as TOOI concepts; the creation date (the
meeting's day); language and format; identifiers (the meeting's id, the digest of the
published file); and the document's actions with their times: vaststelling (approval)
and openbaarmaking (publication).

The TOOI values come from the value lists the DiWoo 0.9.8 schema enumerates
(diwoo-metadata-lijsten.xsd, generated 2025-08-12 from the TOOI value lists).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from lrt_domain.dutch_time import local

NS = "https://standaarden.overheid.nl/diwoo/metadata/"
KERN = "https://identifier.overheid.nl/tooi/def/thes/kern/"
# Woo information category: minutes of the LRT are published actively, under the general
# duty of article 3.1 Woo (none of the categories of article 3.3 names them)
CATEGORY = (KERN + "c_816e508d", "inspanningsverplichting art 3.1 Woo")
DOCUMENT_KIND = (KERN + "c_42e406dd", "vergaderverslag")
APPROVAL = (KERN + "c_641ecd76", "vaststelling")
# "openbaarmaking" is not in the 0.9.8 list of document actions (ondertekening, ontvangst,
# vaststelling): it is given by its label, without a resource, as the schema allows
PUBLICATION = (None, "openbaarmaking")
LANGUAGE = ("http://publications.europa.eu/resource/authority/language/NLD", "Nederlands")
FORMATS = {"PDF": "http://publications.europa.eu/resource/authority/file-type/PDF",
           "HTML": "http://publications.europa.eu/resource/authority/file-type/HTML"}


def metadata(document: dict[str, Any], *, file_name: str, content: bytes,
             publisher: tuple[str, str | None], approved_at: datetime | None,
             published_at: datetime | None, file_format: str = "PDF") -> bytes:
    """The DiWoo metadata of one published document.

    - `document`: what the public minutes were rendered from (`PublicMinutes.document`);
    - `file_name`, `content`: the published file, identified by name and SHA-256;
    - `publisher`: the secretariat's name and TOOI identifier (None: not recorded, the
      name alone is given);
    - `approved_at`, `published_at`: the record times of approval and publication."""
    from lxml import etree

    from .minutes_render import title

    def el(parent: Any, tag: str, text: str | None = None,
           resource: str | None = None) -> Any:
        node = etree.SubElement(parent, f"{{{NS}}}{tag}")
        if resource:
            node.set("resource", resource)
        if text is not None:
            node.text = text
        return node

    root = etree.Element(f"{{{NS}}}Document", nsmap={"diwoo": NS})
    diwoo = el(root, "DiWoo")
    ids = el(diwoo, "identifiers")
    el(ids, "identifier", f"{document['meeting']}")
    el(ids, "identifier", f"{file_name}")
    el(ids, "identifier", "sha256:" + hashlib.sha256(content).hexdigest())
    name, tooi = publisher
    el(diwoo, "publisher", name, tooi)
    el(diwoo, "verantwoordelijke", name, tooi)
    titles = el(diwoo, "titelcollectie")
    el(titles, "officieleTitel", f"{title(document)} ({document['table_name']})")
    descriptions = el(diwoo, "omschrijvingen")
    el(descriptions, "omschrijving", f"Vastgesteld verslag van de vergadering "
                                     f"{document['meeting']} van de {document['table_name']}, "
                                     "met weglakkingen op grond van de Woo.")
    classes = el(diwoo, "classificatiecollectie")
    el(el(classes, "informatiecategorieen"), "informatiecategorie", CATEGORY[1], CATEGORY[0])
    el(el(classes, "documentsoorten"), "documentsoort", DOCUMENT_KIND[1], DOCUMENT_KIND[0])
    day: date = datetime.fromisoformat(document["starts_at_local"]).date()
    el(diwoo, "creatiedatum", day.isoformat())
    el(diwoo, "language", LANGUAGE[1], LANGUAGE[0])
    el(diwoo, "format", file_format, FORMATS[file_format])
    actions = el(diwoo, "documenthandelingen")
    for (resource, label), moment in ((APPROVAL, approved_at), (PUBLICATION, published_at)):
        if moment is None:
            continue
        action = el(actions, "documenthandeling")
        el(action, "soortHandeling", label, resource)
        el(action, "atTime", local(moment).isoformat(timespec="seconds"))
        el(action, "wasAssociatedWith", name, tooi)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return xml
