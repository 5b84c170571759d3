// Copy of /work/shared/fixtures/netsuite-responses.json (NetSuite REST response examples; each entry has its
// provenance). Embedded so the test target needs no resources; keep in sync with the shared fixture.
let netSuiteResponsesFixture = #"""
    {
      "_about": "NetSuite SuiteTalk REST response examples for client/simulator tests. 'provenance' says where each came from: DOC = Oracle NetSuite Help Center (ORA:<id> = https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/<id>.html), COMM = observed by community clients/tests, INF = assembled by analogy. Hosts/ids are examples.",
      "examples": [
        {
          "name": "create_success",
          "provenance": "DOC ORA:section_1545141395",
          "request": {
            "method": "POST",
            "path": "/services/rest/record/v1/customer"
          },
          "status": 204,
          "headers": {
            "Location": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647"
          },
          "body": null
        },
        {
          "name": "patch_success",
          "provenance": "DOC ORA:section_1545142173",
          "request": {
            "method": "PATCH",
            "path": "/services/rest/record/v1/salesOrder/1504"
          },
          "status": 204,
          "headers": {
            "Location": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/1504"
          },
          "body": null
        },
        {
          "name": "upsert_by_external_id",
          "provenance": "DOC ORA:section_156335203191 (semantics); response headers INF (same as create/update)",
          "request": {
            "method": "PUT",
            "path": "/services/rest/record/v1/salesOrder/eid:PS-549085"
          },
          "status": 204,
          "headers": {
            "Location": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/1504"
          },
          "body": null
        },
        {
          "name": "delete_success",
          "provenance": "DOC ORA:section_1545142287",
          "request": {
            "method": "DELETE",
            "path": "/services/rest/record/v1/salesOrder/1504"
          },
          "status": 204,
          "headers": {},
          "body": null
        },
        {
          "name": "get_single_shape",
          "provenance": "DOC ORA:section_1545141500 / ORA:section_1545142037 (shape); values illustrative",
          "request": {
            "method": "GET",
            "path": "/services/rest/record/v1/salesOrder/1504"
          },
          "status": 200,
          "headers": {
            "Content-Type": "application/vnd.oracle.resource+json; type=singular"
          },
          "body": {
            "links": [
              {
                "rel": "self",
                "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/salesorder/1504"
              }
            ],
            "id": "1504",
            "externalId": "PS-549085",
            "tranId": "SO1504",
            "tranDate": "2024-07-05",
            "entity": {
              "links": [
                {
                  "rel": "self",
                  "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/customer/107"
                }
              ],
              "id": "107",
              "refName": "Example Customer"
            },
            "currency": {
              "links": [],
              "id": "1",
              "refName": "EUR"
            },
            "item": {
              "links": [
                {
                  "rel": "self",
                  "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/salesorder/1504/item"
                }
              ]
            }
          },
          "note": "real responses also include read-only totals (subTotal, taxTotal, total) and many more body fields; sublists appear as link objects unless expandSubResources=true"
        },
        {
          "name": "async_accepted",
          "provenance": "DOC ORA:subsect_161278579295",
          "request": {
            "method": "POST",
            "path": "/services/rest/record/v1/salesOrder",
            "headers": {
              "Prefer": "respond-async",
              "X-NetSuite-Idempotency-Key": "3f1c1e1a-8d0e-4a53-9d6e-0c5b9b1f2a10"
            }
          },
          "status": 202,
          "headers": {
            "Preference-Applied": "respond-async",
            "Location": "https://demo123.suitetalk.api.netsuite.com/services/rest/async/v1/job/123456"
          },
          "body": null
        },
        {
          "name": "suiteql_page",
          "provenance": "DOC ORA:section_158394344595 (request); COMM response shape from community mocks/clients",
          "request": {
            "method": "POST",
            "path": "/services/rest/query/v1/suiteql?limit=2&offset=0",
            "headers": {
              "Prefer": "transient",
              "Content-Type": "application/json"
            },
            "body": {
              "q": "SELECT id, tranid, externalid FROM transaction WHERE type = 'SalesOrd' ORDER BY id"
            }
          },
          "status": 200,
          "headers": {},
          "body": {
            "links": [
              {
                "rel": "next",
                "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=2&offset=2"
              },
              {
                "rel": "last",
                "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=2&offset=1998"
              },
              {
                "rel": "self",
                "href": "https://demo123.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=2&offset=0"
              }
            ],
            "count": 2,
            "hasMore": true,
            "offset": 0,
            "totalResults": 2000,
            "items": [
              {
                "links": [],
                "id": "1504",
                "tranid": "SO1504",
                "externalid": "PS-549085"
              },
              {
                "links": [],
                "id": "1505",
                "tranid": "SO1505",
                "externalid": "PS-549086"
              }
            ]
          }
        },
        {
          "name": "error_invalid_login",
          "provenance": "DOC ORA:section_156570709583",
          "status": 401,
          "headers": {
            "Content-Type": "application/vnd.oracle.resource+json; type=error"
          },
          "headers_note": "error Content-Type value is INF; verify",
          "body": {
            "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
            "title": "Unauthorized",
            "status": 401,
            "o:errorDetails": [
              {
                "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
                "o:errorCode": "INVALID_LOGIN"
              }
            ]
          }
        },
        {
          "name": "error_invalid_field_value",
          "provenance": "DOC ORA:section_156570709583 (detail, code, errorPath); type/title INF",
          "request": {
            "method": "POST",
            "path": "/services/rest/record/v1/salesOrder",
            "body": {
              "entity": {
                "id": 107
              },
              "location": {
                "id": 1
              },
              "item": {
                "items": [
                  {
                    "item": {
                      "id": 9999
                    },
                    "amount": 1
                  }
                ]
              }
            }
          },
          "status": 400,
          "body": {
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "title": "Bad Request",
            "status": 400,
            "o:errorDetails": [
              {
                "detail": "Error while accessing resource: You have entered an Invalid Field Value 9999 for the following field: item",
                "o:errorPath": "item.items[0].item",
                "o:errorCode": "INVALID_CONTENT"
              }
            ]
          }
        },
        {
          "name": "error_not_found",
          "provenance": "COMM community client tests/mocks",
          "status": 404,
          "body": {
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
            "title": "Not Found",
            "status": 404,
            "o:errorDetails": [
              {
                "detail": "The record instance does not exist. Provide a valid record instance ID.",
                "o:errorCode": "NONEXISTENT_ID"
              }
            ]
          }
        },
        {
          "name": "error_duplicate_external_id",
          "provenance": "COMM community test described as measured live; timdietrich.me blog (400 on duplicate)",
          "status": 400,
          "body": {
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "title": "Bad Request",
            "status": 400,
            "o:errorDetails": [
              {
                "detail": "Error while accessing a resource. This entity already exists.",
                "o:errorCode": "USER_ERROR"
              }
            ]
          }
        },
        {
          "name": "error_concurrency_limit",
          "provenance": "COMM several community clients (detail + code); status 429 per DOC ORA:section_0827103226; title varies; no Retry-After observed",
          "status": 429,
          "headers": {},
          "body": {
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.20",
            "title": "Too Many Requests",
            "status": 429,
            "o:errorDetails": [
              {
                "detail": "Concurrent request limit exceeded. Request blocked.",
                "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"
              }
            ]
          },
          "note": "type URL is INF; at least one capture shows title 'Bad Request' with status 429"
        },
        {
          "name": "error_idempotency_conflict",
          "provenance": "DOC ORA:subsect_164494900632 (status 400, title Conflict, code IDEMPOTENCY_ERROR, Location of earlier job); detail text INF",
          "status": 400,
          "headers": {
            "Location": "https://demo123.suitetalk.api.netsuite.com/services/rest/async/v1/job/123456"
          },
          "body": {
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10",
            "title": "Conflict",
            "status": 400,
            "o:errorDetails": [
              {
                "detail": "<text not captured>",
                "o:errorCode": "IDEMPOTENCY_ERROR"
              }
            ]
          }
        }
      ]
    }
    """#
