"""The service's OpenAPI 3 schema (``GET /openapi.json``), written out by hand: the routes take
plain JSON checked in code (Presidio's bodies are loose), so there are no models to derive it from.
"""

from __future__ import annotations

from functools import cache


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _ok(schema: dict, media: str = "application/json") -> dict:
    return {"200": {"description": "OK", "content": {media: {"schema": schema}}}}


ERRORS = {
    "401": {"$ref": "#/components/responses/Error"},
    "413": {"$ref": "#/components/responses/Error"},
    "422": {"$ref": "#/components/responses/Error"},
    "503": {"$ref": "#/components/responses/Error"},
    "504": {"$ref": "#/components/responses/Error"},
}


@cache
def openapi_schema() -> dict:
    from edge import __version__

    string_list = {"type": "array", "items": {"type": "string"}}
    operator = {
        "oneOf": [
            {"type": "string", "enum": ["replace", "mask", "hash", "redact", "pseudonymize"]},
            {
                "type": "object",
                "required": ["operator"],
                "properties": {
                    "operator": {"type": "string"},
                    "new_value": {"type": "string"},
                    "keep": {"type": "integer", "minimum": 0},
                    "mask_char": {"type": "string", "minLength": 1, "maxLength": 1},
                },
            },
        ]
    }
    recognizer_result = {
        "type": "object",
        "properties": {
            "entity_type": {"type": "string"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "score": {"type": "number"},
            "analysis_explanation": {"type": "object", "nullable": True},
            "recognition_metadata": {"type": "object"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "edge local service",
            "version": __version__,
            "description": "On-device PII detection and intent classification. Every route but "
            "GET /health needs 'Authorization: Bearer TOKEN' ($EDGE_HOME/serve.token). The "
            "Presidio-compatible routes take Presidio's request bodies.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "An error; 413/422 name the limit that was hit, 503 carries "
                    "Retry-After",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "error": {"type": "string"},
                                    "limit": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string"},
                                            "value": {"type": "number"},
                                        },
                                    },
                                },
                            }
                        }
                    },
                }
            },
            "schemas": {
                "AnalyzeRequest": {
                    "type": "object",
                    "required": ["text", "language"],
                    "properties": {
                        "text": {"oneOf": [{"type": "string"}, string_list]},
                        "language": {"type": "string", "enum": ["en"]},
                        "entities": string_list,
                        "score_threshold": {"type": "number"},
                        "return_decision_process": {"type": "boolean"},
                        "allow_list": string_list,
                        "allow_list_match": {"type": "string", "enum": ["exact", "regex"]},
                        "regex_flags": {"type": "integer"},
                        "correlation_id": {"type": "string"},
                        "context": string_list,
                        "ad_hoc_recognizers": {
                            "type": "array",
                            "description": "not supported: a non-empty list answers 422",
                        },
                    },
                },
                "RecognizerResult": recognizer_result,
                "AnonymizeRequest": {
                    "type": "object",
                    "required": ["text", "analyzer_results"],
                    "properties": {
                        "text": {"type": "string"},
                        "anonymizers": {
                            "type": "object",
                            "additionalProperties": {"type": "object"},
                        },
                        "analyzer_results": {"type": "array", "items": recognizer_result},
                    },
                },
                "DeanonymizeRequest": {
                    "type": "object",
                    "required": ["text", "anonymizer_results", "deanonymizers"],
                    "properties": {
                        "text": {"type": "string"},
                        "deanonymizers": {
                            "type": "object",
                            "additionalProperties": {"type": "object"},
                        },
                        "anonymizer_results": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "EngineResult": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "items": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "PiiRequest": {
                    "type": "object",
                    "required": ["texts"],
                    "properties": {
                        "texts": string_list,
                        "rules": {"type": "boolean"},
                        "operators": {"type": "object", "additionalProperties": operator},
                        "default_operator": operator,
                        "salt": {"type": "string"},
                    },
                },
                "IntentRequest": {
                    "type": "object",
                    "required": ["texts"],
                    "properties": {
                        "texts": string_list,
                        "top_k": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                },
                "Results": {
                    "type": "object",
                    "properties": {"results": {"type": "array", "items": {"type": "object"}}},
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/health": {
                "get": {
                    "summary": "Liveness (no token needed)",
                    "security": [],
                    "responses": _ok({"type": "string"}, "text/plain"),
                }
            },
            "/analyze": {
                "post": {
                    "summary": "Presidio analyzer: detect PII",
                    "requestBody": _body("#/components/schemas/AnalyzeRequest"),
                    "responses": {
                        **_ok({"type": "array", "items": recognizer_result}),
                        **ERRORS,
                    },
                }
            },
            "/supportedentities": {
                "get": {"summary": "Presidio: entity types", "responses": _ok(string_list)}
            },
            "/recognizers": {
                "get": {"summary": "Presidio: recognizer names", "responses": _ok(string_list)}
            },
            "/anonymize": {
                "post": {
                    "summary": "Presidio anonymizer",
                    "requestBody": _body("#/components/schemas/AnonymizeRequest"),
                    "responses": {**_ok({"$ref": "#/components/schemas/EngineResult"}), **ERRORS},
                }
            },
            "/deanonymize": {
                "post": {
                    "summary": "Presidio deanonymizer (decrypt)",
                    "requestBody": _body("#/components/schemas/DeanonymizeRequest"),
                    "responses": {**_ok({"$ref": "#/components/schemas/EngineResult"}), **ERRORS},
                }
            },
            "/anonymizers": {"get": {"summary": "Operator names", "responses": _ok(string_list)}},
            "/deanonymizers": {
                "get": {"summary": "Deanonymizer names", "responses": _ok(string_list)}
            },
            "/v1/health": {"get": {"summary": "Models, queues, limits", "responses": _ok({})}},
            "/v1/pii": {
                "post": {
                    "summary": "PII on a batch of texts, optionally anonymized",
                    "requestBody": _body("#/components/schemas/PiiRequest"),
                    "responses": {**_ok({"$ref": "#/components/schemas/Results"}), **ERRORS},
                }
            },
            "/v1/intent": {
                "post": {
                    "summary": "Intent on a batch of texts (top-k, out-of-scope)",
                    "requestBody": _body("#/components/schemas/IntentRequest"),
                    "responses": {**_ok({"$ref": "#/components/schemas/Results"}), **ERRORS},
                }
            },
            "/v1/intent/routed": {
                "post": {
                    "summary": "Intent routed through the cloud policy (--policy)",
                    "requestBody": _body("#/components/schemas/IntentRequest"),
                    "responses": {**_ok({"$ref": "#/components/schemas/Results"}), **ERRORS},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics",
                    "responses": _ok({"type": "string"}, "text/plain"),
                }
            },
            "/openapi.json": {"get": {"summary": "This schema", "responses": _ok({})}},
        },
    }
