#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Rows are decoded or refused: a bad value in a column is an error that names the
//! table and the column, never a silent zero, empty text or default date.

use qcdc_core::ErrorCode;
use qcdc_store::{Db, OpenOptions, units_repo};
use sqlx::Executor;

async fn db() -> Db {
    let dir = tempfile::tempdir().unwrap().keep();
    Db::open_dir(&dir, &OpenOptions::default()).await.unwrap()
}

async fn exec(db: &Db, sql: &str) {
    let mut tx = db.write().await.unwrap();
    tx.execute(sqlx::AssertSqlSafe(sql.to_string()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_bad_value_names_its_table_and_column() {
    let db = db().await;
    exec(&db, "INSERT INTO units (code, name, name_folded, kind, valid_from, updated_at) VALUES ('A', 'Xã A', 'xa a', 'lang', '2020-01-01', 'x')").await;
    let mut tx = db.read().await.unwrap();
    let e = units_repo::by_code(&mut tx, "A").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal);
    assert!(
        e.message.contains("units") && e.message.contains("kind"),
        "{}",
        e.message
    );
    tx.rollback().await;

    exec(
        &db,
        "UPDATE units SET kind = 'commune', valid_from = '01/01/2020' WHERE code = 'A'",
    )
    .await;
    let mut tx = db.read().await.unwrap();
    let e = units_repo::by_code(&mut tx, "A").await.unwrap_err();
    assert!(
        e.message.contains("units") && e.message.contains("valid_from"),
        "{}",
        e.message
    );
    tx.rollback().await;

    // a column of the wrong type is refused too, naming the column
    exec(
        &db,
        "UPDATE units SET valid_from = '2020-01-01' WHERE code = 'A'",
    )
    .await;
    exec(&db, "INSERT INTO unit_closure (ancestor_id, descendant_id, depth) SELECT 'không phải số', id, 1 FROM units WHERE code = 'A'").await;
    let mut tx = db.read().await.unwrap();
    let id = units_repo::by_code(&mut tx, "A").await.unwrap().id;
    let e = units_repo::lineage(&mut tx, id).await.unwrap_err();
    assert!(
        e.message.contains("unit_closure") && e.message.contains("id"),
        "{}",
        e.message
    );
    tx.rollback().await;

    // fixed, it reads
    exec(&db, "DELETE FROM unit_closure").await;
    let mut tx = db.read().await.unwrap();
    let u = units_repo::by_code(&mut tx, "A").await.unwrap();
    assert_eq!(u.name, "Xã A");
    tx.rollback().await;
}
