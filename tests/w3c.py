"""The W3C Web Annotation Working Group's assertions, as its test suite states
them, run against annotations offline with jsonschema.

The WG's JSON Schemas are vendored in tests/w3c-annotation-model/ (from
web-platform-tests' annotation-model/, unmodified; see its SOURCE.md), so that
the export is always checked, never skipped for want of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

W3C_DIR = Path(__file__).parent / "w3c-annotation-model"
"""The W3C Web Annotation WG's JSON Schemas (from web-platform-tests)."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


# The W3C Web Annotation WG's test suite (web-platform-tests, annotation-model/)
# applies these assertions to "a valid annotation": the list is that of
# annotations/annotationMusts.test, each assertion file restated here by name
# with the $ref it makes into ../shared/w3c-annotation-model/definitions/
# (only the definitions are kept in shared/, not the assertion files). On top
# of the MUSTs, the assertions of the optional features this export uses are
# checked where the suite has them: motivation values (3.3.5), body purposes
# (3.3.5), textual bodies (3.2.4), specific resources and their selectors (4,
# 4.2.4 TextQuoteSelector, 4.2.5 TextPositionSelector).
ANNOTATION_MUSTS: dict[str, dict[str, Any]] = {
    "3.1-annotationContextValidated": {
        "type": "object",
        "required": ["@context"],
        "properties": {
            "@context": {
                "oneOf": [
                    {"$ref": "annotations.json#/definitions/contextValueFound"},
                    {"$ref": "annotations.json#/definitions/contextValueInArrayFound"},
                ]
            }
        },
    },
    "3.1-annotationIdValidated": {"$ref": "id.json#/definitions/idValueFound"},
    "3.1-annotationTypeValidated": {"allOf": [{"$ref": "annotations.json#/definitions/annotationTypeValueFound"}]},
    "3.1-targetKeyFound": {"type": "object", "required": ["target"]},
    "3.2-targetObjectsRecognized": {
        "type": "object",
        "properties": {
            "target": {
                "oneOf": [
                    {"$ref": "bodyTarget.json#/definitions/targetResourcesFound"},
                    {"type": ["array"], "items": {"$ref": "bodyTarget.json#/definitions/targetResourcesFound"}},
                ]
            }
        },
    },
    "3.2.5-notBodyBodyValue": {"type": "object", "not": {"required": ["body", "bodyValue"]}},
    "3.2-bodyObjectsRecognized": {
        "type": "object",
        "properties": {
            "body": {
                "oneOf": [
                    {"$ref": "bodyTarget.json#/definitions/bodyResourcesFound"},
                    {"type": ["array"], "items": {"$ref": "bodyTarget.json#/definitions/bodyResourcesFound"}},
                ]
            }
        },
    },
    "3.2.5-bodyValueValidated": {"allOf": [{"$ref": "annotations.json#/definitions/bodyValueValidIfPresent"}]},
    "3.3.1-annotationCreatedValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/createdValidIfPresent"}],
    },
    "3.3.1-annotationModifiedValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/modifiedValidIfPresent"}],
    },
    "3.3.1-annotationGeneratedValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/generatedValidIfPresent"}],
    },
    "3.3.6-annotationRightsValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/rightsValidIfPresent"}],
    },
    "3.3.7-annotationCanonicalValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/canonicalValidIfPresent"}],
    },
    "3.3.7-annotationViaValidated": {
        "type": "object",
        "allOf": [{"$ref": "otherProperties.json#/definitions/viaValidIfPresent"}],
    },
    # The optional features used here.
    "3.3.5-motivationRecognized": {"allOf": [{"$ref": "annotations.json#/definitions/singleMotivationPropertyFound"}]},
}
BODY_CHECKS: dict[str, dict[str, Any]] = {
    "3.2-bodyOptionalPropertiesMust": {"$ref": "bodyTarget.json#/definitions/optionalBodyPropertiesMust"},
    "3.3.5-bodyPurposeRecognized": {"$ref": "otherProperties.json#/definitions/purposeRecognizedIfPresent"},
    "3.2.1-bodyFormatValid": {"$ref": "bodyTarget.json#/definitions/formatValidIfPresent"},
}
TARGET_CHECKS: dict[str, dict[str, Any]] = {
    "4-targetIsSpecificResourceWithSelector": {
        "allOf": [
            {"$ref": "specificResource.json#/definitions/specificeResourceDetected"},
            {"$ref": "specificResource.json#/definitions/selectorDetected"},
            {"$ref": "bodyTarget.json#/definitions/optionalTargetPropertiesMust"},
        ]
    },
}
SELECTOR_CHECKS: dict[str, dict[str, Any]] = {
    "4.2.4-textQuoteSelectorValid": {"$ref": "specificResource.json#/definitions/textQuoteSelectorTypeValidIfPresent"},
    "4.2.5-textPositionSelectorValid": {
        "$ref": "specificResource.json#/definitions/textPositionSelectorTypeValidIfPresent"
    },
}
# collections/collectionMusts.test lists 5.1-collection*Validated.json, which
# apply these definitions of collections.json to the collection itself;
# collections/pages/pageMusts.test applies the 5.2-page*Validated.json
# assertions (restated from the suite) to a page or a collection with an
# embedded first page.
COLLECTION_MUSTS: dict[str, dict[str, Any]] = {
    "5.1-collectionContextValidated": {
        "type": "object",
        "required": ["@context"],
        "properties": {
            "@context": {
                "oneOf": [
                    {"$ref": "collections.json#/definitions/contextValueFound"},
                    {"$ref": "collections.json#/definitions/contextValueInArrayFound"},
                ]
            }
        },
    },
    "5.1-collectionIdValidated": {"$ref": "id.json#/definitions/idValueFound"},
    "5.1-collectionTypeValidated": {"$ref": "collections.json#/definitions/annotationCollectionTypeValueFound"},
    "5.1-collectionLabelValidated": {"$ref": "collections.json#/definitions/labelDefinition"},
    "5.1-collectionTotalValidated": {"$ref": "collections.json#/definitions/totalDefinition"},
    "5.1-collectionFirstValidated": {
        "allOf": [
            {"$ref": "collections.json#/definitions/firstValidIfPresent"},
            {"$ref": "collections.json#/definitions/firstRequiredIfTotalMoreThanZero"},
        ]
    },
    "5.1-collectionLastValidated": {"$ref": "collections.json#/definitions/lastValidIfPresent"},
    "5.2-pageIdValidated": {
        "oneOf": [
            {
                "allOf": [
                    {"$ref": "id.json#/definitions/idValueFound"},
                    {"$ref": "collections.json#/definitions/annotationPageTypeValueFound"},
                ]
            },
            {
                "type": "object",
                "properties": {"first": {"$ref": "id.json#/definitions/idValueFound"}},
                "required": ["first"],
            },
        ]
    },
    "5.2-pageTypeValidated": {
        "oneOf": [
            {"$ref": "collections.json#/definitions/annotationPageTypeValueFound"},
            {
                "type": "object",
                "properties": {"first": {"$ref": "collections.json#/definitions/annotationPageTypeValueFound"}},
                "required": ["first"],
            },
        ]
    },
    "5.2-pageItemsValidated": {
        "oneOf": [
            {"$ref": "collections.json#/definitions/itemsFound"},
            {
                "type": "object",
                "properties": {"first": {"$ref": "collections.json#/definitions/itemsFound"}},
                "required": ["first"],
            },
        ]
    },
    "5.2-pageStartIndexValidated": {
        "oneOf": [
            {
                "allOf": [
                    {"$ref": "collections.json#/definitions/startIndexDefinition"},
                    {"$ref": "collections.json#/definitions/annotationPageTypeValueFound"},
                ]
            },
            {
                "type": "object",
                "properties": {"first": {"$ref": "collections.json#/definitions/startIndexDefinition"}},
                "required": ["first"],
            },
        ]
    },
    "5.2-pagePartOfValidated": {
        "oneOf": [
            {
                "allOf": [
                    {"$ref": "collections.json#/definitions/partOfValidIfPresent"},
                    {"$ref": "collections.json#/definitions/annotationPageTypeValueFound"},
                ]
            },
            {
                "type": "object",
                "properties": {"first": {"$ref": "collections.json#/definitions/partOfValidIfPresent"}},
                "required": ["first"],
            },
        ]
    },
}


class W3C:
    """The WG's definitions in an offline registry, and validators for the assertions above."""

    def __init__(self, folder: Path, check_uris: bool):
        resources = []
        for path in sorted((folder / "definitions").glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            resources.append((contents.get("id", path.name), DRAFT4.create_resource(contents)))
        self.registry = Registry().with_resources(resources)
        checker = FormatChecker(formats=())
        if check_uris:
            # jsonschema checks format "uri" only with an optional package; this is the same test:
            # an absolute URI (a scheme, then something).
            checker.checks("uri")(
                lambda value: not isinstance(value, str) or bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", value))
            )
        self.checker = checker

    def errors(self, assertions: dict[str, dict[str, Any]], instance: Any) -> list[str]:
        found = []
        for name, schema in assertions.items():
            validator = Draft4Validator(schema, registry=self.registry, format_checker=self.checker)
            found += [f"{name}: {e.message[:200]}" for e in validator.iter_errors(instance)]
        return found

    def annotation_errors(self, annotation: dict[str, Any]) -> list[str]:
        errors = self.errors(ANNOTATION_MUSTS, annotation)
        for body in _as_list(annotation.get("body")):
            errors += self.errors(BODY_CHECKS, body)
        for target in _as_list(annotation.get("target")):
            errors += self.errors(TARGET_CHECKS, target)
            for selector in _as_list(target.get("selector")):
                errors += self.errors(SELECTOR_CHECKS, selector)
        return errors


def w3c(check_uris: bool) -> W3C:
    """Return the WG's validators; CHECK_URIS: check that ids and sources are absolute IRIs (format "uri")."""
    return W3C(W3C_DIR, check_uris)


def standalone(collection: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each annotation of COLLECTION as served on its own: the collection's @context applies to it."""
    items = collection.get("first", {}).get("items", [])
    return [{"@context": collection["@context"], **item} for item in items]
