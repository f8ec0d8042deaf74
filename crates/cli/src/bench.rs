//! `qcdc bench consolidate`: the whole country's per-province totals and
//! completeness, by qcdc's running totals and by a plain recursive-CTE query, in the
//! same run, with the totals compared.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use qcdc_core::unit::UnitKind;
use qcdc_store::Store;
use qcdc_store::bench::flatten;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

pub async fn consolidate(store: &Store, iterations: usize) -> Result<()> {
    let rounds = store.list_rounds(None, None).await?;
    let Some(round) = rounds.iter().max_by_key(|r| r.recipients) else {
        bail!("Chưa có đợt báo cáo nào; hãy chạy `qcdc gen --scale national` trước");
    };
    let provinces: Vec<i64> = store
        .all_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Province)
        .map(|u| u.id)
        .collect();
    outln!(
        "Đợt #{} ({} đơn vị nhận), {} tỉnh, {} lần đo, backend {:?}",
        round.id,
        round.recipients,
        provinces.len(),
        iterations.max(1),
        store.backend()
    );
    let (mut tq, mut tc) = (Vec::new(), Vec::new());
    let mut identical = true;
    for i in 0..iterations.max(1) {
        let s = Instant::now();
        let a = store.bench_consolidate_qcdc(round.id, &provinces).await?;
        tq.push(s.elapsed());
        let s = Instant::now();
        let b = store.bench_consolidate_cte(round.id, &provinces).await?;
        tc.push(s.elapsed());
        for p in &provinces {
            if flatten(&a[p].0) != flatten(&b[p].0) || a[p].1 != b[p].1 {
                identical = false;
            }
        }
        outln!(
            "  lần {}: qcdc {:.4} s, cte {:.4} s",
            i + 1,
            tq[i].as_secs_f64(),
            tc[i].as_secs_f64()
        );
    }
    // what keeping the running totals costs when the whole round must be recomputed
    let s = Instant::now();
    store.rebuild_round_totals(round.id).await?;
    outln!(
        "  dựng lại toàn bộ số tổng hợp từ số liệu gốc (khi đổi cây đơn vị): {:.3} s",
        s.elapsed().as_secs_f64()
    );
    let (q, c) = (median(tq), median(tc));
    outln!(
        "consolidate: qcdc {q:.4} s, cte {c:.4} s, ratio {:.1}x, totals {}",
        c / q,
        if identical { "identical" } else { "DIFFERENT" }
    );
    if !identical {
        bail!("totals differ");
    }
    Ok(())
}

/// `qcdc bench saves`: `reporters` signed-in users each saving their draft through
/// the web form as fast as the server answers, for `seconds`, on loopback.
pub async fn saves(store: Store, reporters: usize, seconds: u64) -> Result<()> {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use qcdc_core::access::Role;
    use qcdc_core::unit::{UnitKind, UnitRecord};

    if !store.all_units().await?.is_empty() {
        bail!("Cơ sở dữ liệu đã có dữ liệu; hãy dùng --data với một thư mục mới");
    }
    let day = |s: &str| qcdc_core::period::parse_date(s).expect("fixed date");
    let mut units = vec![(
        2,
        UnitRecord {
            code: "B".into(),
            name: "Tỉnh đo tải".into(),
            kind: UnitKind::Province,
            parent: None,
            valid_from: day("01/01/2020"),
            valid_to: None,
            predecessors: vec![],
            succession: None,
        },
    )];
    for i in 0..reporters {
        units.push((
            i + 3,
            UnitRecord {
                code: format!("B-X{i:03}"),
                name: format!("Xã {i}"),
                kind: UnitKind::Commune,
                parent: Some("B".into()),
                valid_from: day("01/01/2020"),
                valid_to: None,
                predecessors: vec![],
                succession: None,
            },
        ));
    }
    store.import_units(units, "bench").await?;
    let round = store
        .create_round(
            &qcdc_store::NewRound {
                title: "Đo tải".into(),
                template: "qcdc-dinh-ky".into(),
                template_version: None,
                period: "2099-H1".parse()?,
                issuer: "B".into(),
                deadline: day("20/06/2099"),
                letter: String::new(),
                recipients: qcdc_store::RecipientSelector {
                    kinds: vec![UnitKind::Commune],
                    max_depth: None,
                    units: vec![],
                },
            },
            "bench",
            qcdc_store::today_vn(),
        )
        .await?;
    let mut sessions = Vec::new();
    for i in 0..reporters {
        let id = store
            .create_user(
                &format!("bench{i}"),
                "Đo tải",
                "mat-khau-do-tai",
                &[(Role::Reporter, format!("B-X{i:03}"))],
                "bench",
            )
            .await?;
        let token = store.issue_token(id, 2).await?;
        sessions.push((format!("B-X{i:03}"), Store::csrf_for(&token), token));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = qcdc_api::router(store.clone()).merge(qcdc_web::router(store.clone(), false));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(reporters)
        .build_http();
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, (unit, csrf, token)) in sessions.into_iter().enumerate() {
        let client = client.clone();
        let uri = format!("http://{addr}/dot/{}/bao-cao/{unit}/luu", round.id);
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failed = 0u64;
            let mut n = 0u64;
            while Instant::now() < end {
                n += 1;
                let body = format!(
                    "csrf={csrf}&v.tcd_luot={}&v.vb_tong={}&s.I=N%E1%BB%99i+dung+l%E1%BA%A7n+{n}",
                    (n + i as u64) % 500,
                    n % 40
                );
                let req = hyper::Request::post(&uri)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", format!("qcdc_session={token}"))
                    .header("hx-request", "true")
                    .body(Full::new(Bytes::from(body)))
                    .expect("request");
                let s = Instant::now();
                match client.request(req).await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let body = res
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        if ok && String::from_utf8_lossy(&body).contains("Đã lưu") {
                            lat.push(s.elapsed());
                        } else {
                            failed += 1;
                        }
                    }
                    Err(_) => failed += 1,
                }
            }
            (lat, failed)
        }));
    }
    let mut all = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await?;
        all.extend(l);
        failed += f;
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let rate = all.len() as f64 / seconds as f64;
    outln!(
        "{reporters} người báo cáo, {seconds} s, {} lượt lưu thành công, {failed} lỗi",
        all.len()
    );
    outln!(
        "saves: {rate:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, failed {failed}",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
