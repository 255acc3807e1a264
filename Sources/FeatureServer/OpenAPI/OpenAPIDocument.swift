/// The server's OpenAPI 3.1 document, served at `/openapi.json` (a test checks it against the
/// routes the server answers).
enum OpenAPIDocument {
  /// The document's JSON text.
  static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "FeatureDB server",
        "version": "1",
        "description": "Feast's feature server wire format (/get-online-features, /push, /write-to-online-store, /health) and FeatureDB's own JSON API (/api/...), whose documents are those `fdb ... --json` prints. Errors of /api routes: {\"error\": MESSAGE, \"status\": CODE}; usage error 400, not found 404, conflict (read-only, undo twice) 409, damaged store 500. With --token-file every route but /health and /openapi.json needs `Authorization: Bearer TOKEN` (401 without a valid one, 403 for a role too low). See docs/server.md."
      },
      "components": {
        "securitySchemes": {
          "bearer": {
            "type": "http",
            "scheme": "bearer"
          }
        },
        "parameters": {
          "feature": {
            "name": "feature",
            "in": "query",
            "required": true,
            "description": "Feature",
            "schema": {
              "type": "string"
            }
          },
          "entity": {
            "name": "entity",
            "in": "query",
            "required": true,
            "description": "Entity id",
            "schema": {
              "type": "string"
            }
          },
          "as_of": {
            "name": "as_of",
            "in": "query",
            "required": false,
            "description": "Event time to read at: ISO-8601 UTC, `now`, or relative (`-2h`, `-7d`).",
            "schema": {
              "type": "string"
            }
          },
          "as_of_write": {
            "name": "as_of_write",
            "in": "query",
            "required": false,
            "description": "Write time to read at: what the store held then (same syntax).",
            "schema": {
              "type": "string"
            }
          }
        },
        "responses": {
          "Error": {
            "description": "FeatureDB's error body",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "error",
                    "status"
                  ],
                  "properties": {
                    "error": {
                      "type": "string"
                    },
                    "status": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          },
          "FeastError": {
            "description": "Feast's error body: a JSON string holding {\"module\", \"class\", \"message\"}; a malformed body is 422 {\"detail\": [{\"type\", \"loc\", \"msg\"}]}",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "detail": {
                          "type": "array"
                        }
                      }
                    }
                  ]
                }
              }
            }
          }
        },
        "schemas": {
          "Version": {
            "type": "object",
            "description": "A version as `fdb get --json` prints it.",
            "properties": {
              "feature": {
                "type": "string"
              },
              "entity": {
                "type": "string"
              },
              "version": {
                "type": "integer"
              },
              "value": {},
              "deleted": {
                "type": "boolean"
              },
              "eventTime": {
                "type": "string"
              },
              "writeTime": {
                "type": "string"
              },
              "status": {
                "enum": [
                  "active",
                  "retracted"
                ]
              },
              "retractedBy": {
                "type": [
                  "integer",
                  "null"
                ]
              },
              "expired": {
                "type": "boolean"
              },
              "producer": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "run": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "source": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "inputs": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "note": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "Operation": {
            "type": "object",
            "description": "An operation as `fdb ops --json` prints it.",
            "properties": {
              "id": {
                "type": "integer"
              },
              "kind": {
                "enum": [
                  "rollback",
                  "undo"
                ]
              },
              "form": {
                "type": "string"
              },
              "actor": {
                "type": "string"
              },
              "reason": {
                "type": "string"
              },
              "time": {
                "type": "string"
              },
              "cascade": {
                "type": "boolean"
              },
              "versions": {
                "type": "integer"
              },
              "undoes": {
                "type": [
                  "integer",
                  "null"
                ]
              },
              "undoneBy": {
                "type": [
                  "integer",
                  "null"
                ]
              }
            }
          },
          "OnlineFeaturesRequest": {
            "type": "object",
            "required": [
              "entities"
            ],
            "properties": {
              "entities": {
                "type": "object",
                "description": "One join key column: {\"driver_id\": [1001, \"u1\"]}",
                "additionalProperties": {
                  "type": "array",
                  "items": {
                    "type": [
                      "string",
                      "integer"
                    ]
                  }
                }
              },
              "features": {
                "type": "array",
                "items": {
                  "type": "string",
                  "description": "view:name, FeatureDB feature view.name"
                }
              },
              "feature_service": {
                "type": "string",
                "description": "A FeatureDB feature group"
              },
              "full_feature_names": {
                "type": "boolean"
              }
            }
          },
          "OnlineFeaturesResponse": {
            "type": "object",
            "properties": {
              "metadata": {
                "type": "object",
                "properties": {
                  "feature_names": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                }
              },
              "results": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "values": {
                      "type": "array"
                    },
                    "statuses": {
                      "type": "array",
                      "items": {
                        "enum": [
                          "PRESENT",
                          "NOT_FOUND",
                          "NULL_VALUE",
                          "OUTSIDE_MAX_AGE"
                        ]
                      }
                    },
                    "event_timestamps": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "Frame": {
            "type": "object",
            "description": "Columns of equal length: the join key, feature columns (view.column), event_timestamp (optional), created (ignored).",
            "additionalProperties": {
              "type": "array"
            }
          }
        }
      },
      "security": [
        {},
        {
          "bearer": []
        }
      ],
      "paths": {
        "/get-online-features": {
          "post": {
            "summary": "Feast: latest values of features (or a feature service) for entity rows, column-major",
            "tags": [
              "feast"
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/OnlineFeaturesRequest"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/OnlineFeaturesResponse"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/FeastError"
              },
              "401": {
                "$ref": "#/components/responses/FeastError"
              },
              "403": {
                "$ref": "#/components/responses/FeastError"
              },
              "404": {
                "$ref": "#/components/responses/FeastError"
              },
              "408": {
                "$ref": "#/components/responses/FeastError"
              },
              "413": {
                "$ref": "#/components/responses/FeastError"
              },
              "422": {
                "$ref": "#/components/responses/FeastError"
              },
              "500": {
                "$ref": "#/components/responses/FeastError"
              }
            }
          }
        },
        "/push": {
          "post": {
            "summary": "Feast: write rows of a push source (FeatureDB features source.column) in one transaction, with lineage",
            "tags": [
              "feast"
            ],
            "parameters": [
              {
                "name": "FeatureDB-Producer",
                "in": "header",
                "schema": {
                  "type": "string"
                }
              },
              {
                "name": "FeatureDB-Run",
                "in": "header",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "push_source_name",
                      "df"
                    ],
                    "properties": {
                      "push_source_name": {
                        "type": "string"
                      },
                      "df": {
                        "$ref": "#/components/schemas/Frame"
                      },
                      "to": {
                        "enum": [
                          "online",
                          "offline",
                          "online_and_offline"
                        ]
                      }
                    }
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Written; the run used is in the FeatureDB-Run header"
              },
              "400": {
                "$ref": "#/components/responses/FeastError"
              },
              "401": {
                "$ref": "#/components/responses/FeastError"
              },
              "403": {
                "$ref": "#/components/responses/FeastError"
              },
              "408": {
                "$ref": "#/components/responses/FeastError"
              },
              "409": {
                "$ref": "#/components/responses/FeastError"
              },
              "413": {
                "$ref": "#/components/responses/FeastError"
              },
              "422": {
                "$ref": "#/components/responses/FeastError"
              },
              "500": {
                "$ref": "#/components/responses/FeastError"
              }
            }
          }
        },
        "/write-to-online-store": {
          "post": {
            "summary": "Feast: write rows of a feature view (Feast's remote online store client)",
            "tags": [
              "feast"
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "feature_view_name",
                      "df"
                    ],
                    "properties": {
                      "feature_view_name": {
                        "type": "string"
                      },
                      "df": {
                        "$ref": "#/components/schemas/Frame"
                      }
                    }
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Written (body null)"
              },
              "400": {
                "$ref": "#/components/responses/FeastError"
              },
              "401": {
                "$ref": "#/components/responses/FeastError"
              },
              "403": {
                "$ref": "#/components/responses/FeastError"
              },
              "404": {
                "$ref": "#/components/responses/FeastError"
              },
              "408": {
                "$ref": "#/components/responses/FeastError"
              },
              "409": {
                "$ref": "#/components/responses/FeastError"
              },
              "413": {
                "$ref": "#/components/responses/FeastError"
              },
              "422": {
                "$ref": "#/components/responses/FeastError"
              },
              "500": {
                "$ref": "#/components/responses/FeastError"
              }
            }
          }
        },
        "/health": {
          "get": {
            "summary": "Feast: 200 while the store answers",
            "tags": [
              "feast"
            ],
            "security": [
              {}
            ],
            "responses": {
              "200": {
                "description": "OK"
              },
              "500": {
                "$ref": "#/components/responses/FeastError"
              }
            }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Request metrics, Prometheus text",
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "text/plain": {}
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document",
            "security": [
              {}
            ],
            "responses": {
              "200": {
                "description": "OK"
              }
            }
          }
        },
        "/api/features": {
          "get": {
            "summary": "Every feature with its type and retention (fdb features --json)",
            "parameters": [],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/groups": {
          "get": {
            "summary": "Every feature group",
            "parameters": [],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/value": {
          "get": {
            "summary": "One value: latest, or as of an event and/or write time (fdb get F E --json)",
            "parameters": [
              {
                "$ref": "#/components/parameters/feature"
              },
              {
                "$ref": "#/components/parameters/entity"
              },
              {
                "$ref": "#/components/parameters/as_of"
              },
              {
                "$ref": "#/components/parameters/as_of_write"
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Version"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/entity": {
          "get": {
            "summary": "Every feature of an entity that has a value (fdb get E --all)",
            "parameters": [
              {
                "$ref": "#/components/parameters/entity"
              },
              {
                "$ref": "#/components/parameters/as_of"
              },
              {
                "$ref": "#/components/parameters/as_of_write"
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Version"
                      }
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/group": {
          "get": {
            "summary": "The features of a group for an entity (fdb get E --group G)",
            "parameters": [
              {
                "name": "group",
                "in": "query",
                "required": true,
                "description": "Group",
                "schema": {
                  "type": "string"
                }
              },
              {
                "$ref": "#/components/parameters/entity"
              },
              {
                "$ref": "#/components/parameters/as_of"
              },
              {
                "$ref": "#/components/parameters/as_of_write"
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Version"
                      }
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/history": {
          "get": {
            "summary": "Retained versions, newest first (fdb history)",
            "parameters": [
              {
                "$ref": "#/components/parameters/feature"
              },
              {
                "$ref": "#/components/parameters/entity"
              },
              {
                "name": "limit",
                "in": "query",
                "required": false,
                "description": "At most this many",
                "schema": {
                  "type": "integer",
                  "minimum": 0
                }
              },
              {
                "name": "include_retracted",
                "in": "query",
                "required": false,
                "description": "Also retracted versions",
                "schema": {
                  "type": "boolean"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Version"
                      }
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/lineage": {
          "get": {
            "summary": "Where a version came from, or what was derived from it (fdb lineage --format json)",
            "parameters": [
              {
                "$ref": "#/components/parameters/feature"
              },
              {
                "$ref": "#/components/parameters/entity"
              },
              {
                "name": "version",
                "in": "query",
                "required": false,
                "description": "Version (default: latest)",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              },
              {
                "name": "downstream",
                "in": "query",
                "required": false,
                "description": "Derived versions instead of parents",
                "schema": {
                  "type": "boolean"
                }
              },
              {
                "name": "depth",
                "in": "query",
                "required": false,
                "description": "Levels (default 10)",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/graph": {
          "get": {
            "summary": "Which features are derived from which (fdb graph)",
            "parameters": [
              {
                "name": "feature",
                "in": "query",
                "required": false,
                "description": "Only edges touching this feature",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/runs": {
          "get": {
            "summary": "Runs, newest first (fdb runs --json)",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "required": false,
                "description": "At most this many (default 50)",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              },
              {
                "name": "offset",
                "in": "query",
                "required": false,
                "description": "Skip this many",
                "schema": {
                  "type": "integer",
                  "minimum": 0
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/run": {
          "get": {
            "summary": "A run: what it wrote, the rollbacks covering it, quality and drift (fdb run show --json)",
            "parameters": [
              {
                "name": "id",
                "in": "query",
                "required": true,
                "description": "Run id",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/ops": {
          "get": {
            "summary": "The operations log, newest first (fdb ops --json)",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "required": false,
                "description": "At most this many (default 100)",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              }
            ],
            "responses": {
              "200": {
                "description": "OK",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Operation"
                      }
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/rollback": {
          "post": {
            "summary": "Roll back in one of fdb rollback's forms; role admin (a dry run: read)",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "properties": {
                      "feature": {
                        "type": "string"
                      },
                      "entity": {
                        "type": "string"
                      },
                      "to_version": {
                        "type": "integer"
                      },
                      "to_time": {
                        "type": "string"
                      },
                      "since": {
                        "type": "string"
                      },
                      "run": {
                        "type": "string"
                      },
                      "cascade": {
                        "type": "boolean"
                      },
                      "dry_run": {
                        "type": "boolean"
                      },
                      "actor": {
                        "type": "string"
                      },
                      "reason": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "What was (or would be) retracted (fdb rollback --json)"
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "413": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/undo": {
          "post": {
            "summary": "Undo a rollback once (fdb undo); role admin",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "type": "object",
                    "required": [
                      "operation"
                    ],
                    "properties": {
                      "operation": {
                        "type": "integer"
                      },
                      "actor": {
                        "type": "string"
                      },
                      "reason": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "The undo operation",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Operation"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "408": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "413": {
                "$ref": "#/components/responses/Error"
              },
              "500": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        }
      }
    }
    """#
}
