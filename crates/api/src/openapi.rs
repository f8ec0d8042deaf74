//! The OpenAPI document, generated from the route list (never written by hand, so
//! it cannot drift from the router).

use serde_json::{Map, Value, json};

use crate::{Access, BodyKind, Produces, routes};

fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// The OpenAPI 3.1 document of every route.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in routes() {
        let mut params: Vec<Value> = path_params(r.path)
            .into_iter()
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(
            r.query
                .iter()
                .map(|(name, desc)| json!({"name": name, "in": "query", "required": false, "description": desc, "schema": {"type": "string"}})),
        );
        let mut op = json!({
            "summary": r.summary,
            "tags": [r.tag],
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
                "409": {"$ref": "#/components/responses/Error"},
                "413": {"$ref": "#/components/responses/Error"},
                "422": {"$ref": "#/components/responses/Error"}
            },
            "x-qcdc-body-limit": r.limit,
        });
        let attachment = |types: &[&str]| {
            let content: Map<String, Value> = types
                .iter()
                .map(|t| {
                    (
                        (*t).to_string(),
                        json!({"schema": {"type": "string", "format": "binary"}}),
                    )
                })
                .collect();
            json!({
                "description": "Tệp đính kèm; Content-Disposition có filename (ASCII) và filename* (UTF-8, RFC 5987)",
                "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                "content": content
            })
        };
        match r.produces {
            Produces::Json => {}
            Produces::Document => {
                op["responses"]["200"] = attachment(&[
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "application/pdf",
                ]);
            }
            Produces::Xlsx => {
                op["responses"]["200"] = attachment(&[
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ]);
            }
        }
        if !r.rights.is_empty() {
            op["description"] = json!(format!("Quyền: {}.", r.rights));
        }
        if r.access == Access::Public {
            op["security"] = json!([]);
        }
        match r.body {
            BodyKind::None => {}
            BodyKind::Json => {
                op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
            }
            BodyKind::File => {
                op["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
            }
        }
        let method = r.method.as_str().to_lowercase();
        if let Some(entry) = paths
            .entry(r.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
        {
            entry.insert(method, op);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "qcdc API",
            "version": "1",
            "description": "API báo cáo thực hiện quy chế dân chủ ở cơ sở. Mọi lỗi trả về JSON {code, message, problems?, details?}; code là mã ổn định (vd. invalid_number, validation_failed, submission_locked, forbidden), message bằng tiếng Việt. Danh sách trả về {items, total, page, per_page, pages}."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "Lỗi", "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "problems": {"type": "array", "items": {"type": "object"}},
                    "details": {"type": "object"}
                }
            }}}}}
        }
    })
}
