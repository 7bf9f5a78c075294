"""An Open311 GeoReport v2 client written with Python's standard library only (urllib, json,
xml.etree), playing the checks of the SeeClickFix Open311 validator and of a Python Open311
client against a running server. Usage: open311_client.py <endpoint> <api_key> <lat> <long>.
Prints a JSON object: {"checks": n, "failures": [...]}; the caller asserts there are none."""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

base, api_key, lat, lng = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


def fetch(path, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(base + path, data=body)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, res.headers.get("Content-Type", ""), res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def as_json(path, data=None):
    status, ctype, raw = fetch(path, data)
    check(ctype.startswith("application/json"), f"{path}: Content-Type {ctype}")
    return status, json.loads(raw)


def as_xml(path, data=None):
    status, ctype, raw = fetch(path, data)
    check(ctype.startswith("text/xml"), f"{path}: Content-Type {ctype}")
    return status, ET.fromstring(raw)


def is_error_list(status, body, code):
    check(status == code, f"error status {status}, expected {code}")
    check(isinstance(body, list) and len(body) >= 1, "errors are an array")
    for e in body if isinstance(body, list) else []:
        check(set(e) >= {"code", "description"} and e["code"] == code, f"error item {e}")


# Discovery
status, d = as_json("/discovery.json")
check(status == 200 and {"changeset", "contact", "key_service", "endpoints"} <= set(d), "discovery fields")
for ep in d.get("endpoints", []):
    check({"specification", "url", "changeset", "type", "formats"} <= set(ep), "endpoint fields")
    check(ep["type"] in ("production", "test"), "endpoint type")
    check("application/json" in ep["formats"] and "text/xml" in ep["formats"], "endpoint formats")
status, x = as_xml("/discovery.xml")
check(x.tag == "discovery" and x.find("endpoints/endpoint/url") is not None, "discovery.xml root and endpoint")

# Services
status, services = as_json("/services.json")
check(status == 200 and isinstance(services, list) and services, "services is a non-empty array")
for s in services:
    check({"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(s), f"service fields {s.get('service_code')}")
    check(isinstance(s["metadata"], bool), "metadata is a boolean")
    check(s["type"] in ("realtime", "batch", "blackbox"), "service type")
status, x = as_xml("/services.xml")
check(x.tag == "services" and len(x.findall("service")) == len(services), "services.xml root and count")
check(all(el.find("metadata").text in ("true", "false") for el in x.findall("service")), "xml metadata true/false")

# Service definition
with_meta = [s for s in services if s["metadata"]]
check(bool(with_meta), "a service with metadata")
for s in with_meta[:2]:
    code = urllib.parse.quote(s["service_code"])
    status, sd = as_json(f"/services/{code}.json")
    check(status == 200 and sd["service_code"] == s["service_code"] and isinstance(sd["attributes"], list), "definition")
    for a in sd["attributes"]:
        check({"variable", "code", "datatype", "required", "datatype_description", "order", "description"} <= set(a), "attribute fields")
        check(a["datatype"] in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"), "datatype")
        if a["datatype"].endswith("valuelist"):
            check(all({"key", "name"} <= set(v) for v in a["values"]), "values key/name")
    status, x = as_xml(f"/services/{code}.xml")
    check(x.tag == "service_definition" and x.find("attributes/attribute") is not None, "service_definition.xml")

# POST with an api_key, then GET it back
plain = next(s for s in services if not s["metadata"])
form = {"api_key": api_key, "service_code": plain["service_code"], "lat": lat, "long": lng, "description": "Python client"}
status, posted = as_json("/requests.json", form)
check(status in (200, 201) and isinstance(posted, list) and len(posted) == 1, "POST answers a one-element array")
rid = posted[0]["service_request_id"]
check({"service_request_id", "service_notice", "account_id"} <= set(posted[0]) or "token" in posted[0], "POST fields")
status, x = as_xml("/requests.xml", form)
check(status in (200, 201) and x.tag == "service_requests" and x.find("request/service_request_id") is not None, "POST xml")
status, one = as_json(f"/requests/{rid}.json")
check(status == 200 and isinstance(one, list) and len(one) == 1 and one[0]["service_request_id"] == rid, "request by id: one-element array")
r = one[0]
for k in ("service_request_id", "status", "service_code", "service_name", "requested_datetime", "updated_datetime", "lat", "long", "service_notice"):
    check(k in r, f"request field {k}")
check(r["status"] in ("open", "closed"), "status open|closed")
check(r["service_notice"] == posted[0]["service_notice"], "service_notice same in POST and GET")
status, x = as_xml(f"/requests/{rid}.xml")
check(x.tag == "service_requests" and len(x.findall("request")) == 1, "request by id xml")

# GET requests with filters
q = urllib.parse.urlencode({"start_date": r["requested_datetime"][:10] + "T00:00:00Z", "end_date": "2100-01-01T00:00:00Z", "status": "open", "service_code": plain["service_code"]})
status, listed = as_json(f"/requests.json?{q}")
if status == 400:  # a window past 90 days is refused: ask for the last day only
    q = urllib.parse.urlencode({"start_date": r["requested_datetime"][:10] + "T00:00:00Z", "status": "open", "service_code": plain["service_code"]})
    status, listed = as_json(f"/requests.json?{q}")
check(status == 200 and any(x["service_request_id"] == rid for x in listed), "filtered list holds the new request")
check(all(x["status"] == "open" and x["service_code"] == plain["service_code"] for x in listed), "filters applied")

# Errors: [{code, description}] and <errors><error>
status, body = as_json("/requests/999999999999.json")
is_error_list(status, body, 404)
status, body = as_json("/requests.json", {"service_code": plain["service_code"], "lat": lat, "long": lng})
is_error_list(status, body, 403)
status, body = as_json("/requests.json?start_date=yesterday")
is_error_list(status, body, 400)
status, x = as_xml("/requests/999999999999.xml")
check(status == 404 and x.tag == "errors" and x.find("error/code").text == "404" and x.find("error/description") is not None, "errors.xml")
status, x = as_xml("/no/such/path.xml")
check(status == 404 and x.tag == "errors", "unknown path: errors.xml")

print(json.dumps({"checks": checks, "failures": failures}))
