#!/usr/bin/env python3
"""Converts the nine UK Core example resources from FHIR XML to FHIR JSON, once.

Run from the repository root:
    python3 tests/data/fhir/uk-core/xml_to_json.py ../shared/data/fhir-uk-core tests/data/fhir/uk-core

FHIR's XML and JSON forms differ in three ways this script handles, for the elements these
nine resources use (FHIR R4 4.0.1, "JSON Representation of Resources"):
  * a primitive is `<x value="v"/>` in XML and `"x": v` in JSON, typed as boolean, integer or
    decimal where the element's type says so (`PRIMITIVE_TYPES`);
  * an element that may repeat (cardinality 0..* in its resource's definition) is always a JSON
    array, even with one value (`REPEATING`);
  * the narrative `div` is XHTML kept as a string; XML comments are not content and are dropped.
"""
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

FHIR = "{http://hl7.org/fhir}"
XHTML = "{http://www.w3.org/1999/xhtml}"

# Repeating elements, as "parent.element" with the parent element's name (the resource's name at
# the top level), or "*.element" for one that repeats wherever it appears.
REPEATING = {
    "*.extension", "*.identifier", "*.coding", "*.telecom", "address.line",
    "Appointment.serviceCategory", "Appointment.serviceType", "Appointment.specialty",
    "Appointment.reasonCode", "Appointment.reasonReference", "Appointment.basedOn",
    "Appointment.participant", "Appointment.slot", "participant.type",
    "HealthcareService.category", "HealthcareService.type", "HealthcareService.specialty",
    "HealthcareService.location", "HealthcareService.serviceProvisionCode",
    "HealthcareService.program", "HealthcareService.characteristic",
    "HealthcareService.referralMethod", "HealthcareService.availableTime",
    "HealthcareService.notAvailable", "availableTime.daysOfWeek",
    "Location.type", "Schedule.serviceCategory", "Schedule.serviceType", "Schedule.specialty",
    "Schedule.actor", "ServiceRequest.locationReference", "ServiceRequest.reasonCode",
    "ServiceRequest.reasonReference", "ServiceRequest.supportingInfo",
    "Slot.serviceCategory", "Slot.serviceType", "Slot.specialty",
}
PRIMITIVE_TYPES = {
    "active": bool, "appointmentRequired": bool, "overbooked": bool,
    "priority@Appointment": int,
}


def local(tag):
    return tag.split("}", 1)[1]


def convert(element, parent_name, resource):
    out = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment
        name = local(child.tag)
        if name == "div" and child.tag.startswith(XHTML):
            ET.register_namespace("", XHTML[1:-1])
            child.tail = None
            out["div"] = ET.tostring(child, encoding="unicode", short_empty_elements=False)
            continue
        if "value" in child.attrib and len(child) == 0:
            raw = child.attrib["value"]
            kind = PRIMITIVE_TYPES.get(f"{name}@{resource}") if parent_name == resource else None
            kind = kind or PRIMITIVE_TYPES.get(name)
            value = (raw == "true") if kind is bool else int(raw) if kind is int else raw
        else:
            value = convert(child, name, resource)
            if "url" in child.attrib:
                value = {"url": child.attrib["url"], **value}
        repeats = f"*.{name}" in REPEATING or f"{parent_name}.{name}" in REPEATING
        if repeats:
            out.setdefault(name, []).append(value)
        else:
            assert name not in out, f"{parent_name}.{name} repeats: add it to REPEATING"
            out[name] = value
    return out


def main(source, target):
    for path in sorted(Path(source).glob("*.xml")):
        root = ET.parse(path).getroot()
        resource = local(root.tag)
        body = {"resourceType": resource, **convert(root, resource, resource)}
        out = Path(target) / (path.stem + ".json")
        out.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        print(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
