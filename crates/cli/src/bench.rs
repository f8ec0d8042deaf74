//! Benchmarks over the real paths: `qcdc bench consolidate` (the country's
//! per-province totals by the running totals and by a recursive query over the
//! raw figures, compared), `qcdc bench saves` (reporters saving drafts through the
//! web form on loopback) and `qcdc bench pages` (the pages and API a user opens,
//! over HTTP, on a generated national dataset).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use qcdc_app::rounds::{NewRound, RecipientSelector};
use qcdc_app::units::UnitQuery;
use qcdc_app::{App, PageReq, auth, maintenance, rounds, submissions, units, users};
use qcdc_core::access::Role;
use qcdc_core::consolidate::Totals;
use qcdc_core::unit::{UnitKind, UnitRecord};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, Duration::as_secs_f64)
}

fn flatten(t: &Totals) -> std::collections::BTreeMap<String, i64> {
    t.sums.iter().map(|(k, (v, _))| (k.clone(), *v)).collect()
}

/// The round with the most recipients (the generated national round).
async fn biggest_round(store: &App) -> Result<qcdc_app::views::RoundView> {
    let list = rounds::list(
        &store.system("bench"),
        false,
        PageReq::new(1, PageReq::MAX_SIZE),
        store.today(),
    )
    .await?;
    list.items
        .into_iter()
        .map(|s| s.round)
        .max_by_key(|r| r.recipients)
        .context("Chưa có đợt báo cáo nào; hãy chạy `qcdc gen --scale national` trước")
}

pub async fn consolidate(store: &App, iterations: usize) -> Result<()> {
    let cx = store.system("bench");
    let round = biggest_round(store).await?;
    let provinces: Vec<i64> = units::all(
        &cx,
        &UnitQuery {
            kinds: vec![UnitKind::Province],
            ..Default::default()
        },
    )
    .await?
    .into_iter()
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
    let today = store.today();
    let (mut tq, mut tc) = (Vec::new(), Vec::new());
    let mut identical = true;
    for i in 0..iterations.max(1) {
        let s = Instant::now();
        let a = maintenance::consolidate_running(&cx, round.id, &provinces, today).await?;
        tq.push(s.elapsed());
        let s = Instant::now();
        let b = maintenance::consolidate_recomputed(&cx, round.id, &provinces, today).await?;
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
    // what the whole round's running totals cost to recompute from the raw figures
    let s = Instant::now();
    maintenance::rebuild_round(&cx, round.id).await?;
    outln!(
        "  dựng lại toàn bộ số tổng hợp từ số liệu gốc: {:.3} s",
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

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client(pool: usize) -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(pool)
        .build_http()
}

async fn serve(store: &App) -> Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = qcdc_web::server_router(store.clone(), false);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

/// GETs `uri` `n` times one after the other; returns the sorted latencies.
async fn timed_gets(
    c: &HttpClient,
    uri: &str,
    header: (&str, &str),
    n: usize,
) -> Result<(Vec<Duration>, usize)> {
    let mut lat = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let req = hyper::Request::get(uri)
            .header(header.0, header.1)
            .body(Full::new(Bytes::new()))?;
        let s = Instant::now();
        let res = c.request(req).await?;
        let status = res.status();
        let body = res.into_body().collect().await?.to_bytes();
        lat.push(s.elapsed());
        if !status.is_success() {
            bail!(
                "{uri}: {status} {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
        bytes = body.len();
    }
    lat.sort();
    Ok((lat, bytes))
}

fn p(lat: &[Duration], q: f64) -> f64 {
    if lat.is_empty() {
        return 0.0;
    }
    let i = ((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1;
    lat[i].as_secs_f64() * 1000.0
}

/// The pages of a national round over HTTP on loopback.
pub async fn pages(store: App, requests: usize) -> Result<()> {
    let cx = store.system("bench");
    let round = biggest_round(&store).await?;
    let issuer = round.issuer_code.clone();
    let recipients = maintenance::recipients(&cx, round.id).await?;
    let (_, commune, _, _) = recipients
        .iter()
        .find(|r| r.3.is_commune_level())
        .cloned()
        .context("đợt không có đơn vị cấp xã")?;
    let province = units::get(&cx, &commune)
        .await?
        .unit
        .parent_code
        .context("xã không có tỉnh")?;
    // an office at the issuer and a reporter of one commune (made once)
    for (u, role, unit) in [
        ("bench.office", Role::Office, issuer.as_str()),
        ("bench.reporter", Role::Reporter, commune.as_str()),
    ] {
        match users::create(
            &cx,
            &users::NewUser {
                username: u.into(),
                full_name: "Đo hiệu năng".into(),
                password: "mat-khau-do-hieu-nang".into(),
                roles: vec![(role, unit.into())],
            },
        )
        .await
        {
            Ok(_) => {}
            Err(e) if e.code == qcdc_app::ErrorCode::Conflict => {}
            Err(e) => return Err(e.into()),
        }
    }
    // the commune's report opened for correction, so that its form is editable
    let v = submissions::view(&cx, round.id, &commune).await?;
    if v.status == qcdc_core::workflow::Status::Accepted {
        submissions::start_correction(&cx, round.id, &commune, "đo hiệu năng trang nhập liệu")
            .await?;
    }
    let (_, office) =
        auth::open_session(&store, "bench.office", "mat-khau-do-hieu-nang", 2).await?;
    let (_, reporter) =
        auth::open_session(&store, "bench.reporter", "mat-khau-do-hieu-nang", 2).await?;
    let (_, office_api) = auth::sign_in(&store, "bench.office", "mat-khau-do-hieu-nang", 2).await?;
    let addr = serve(&store).await?;
    let c = client(4);
    let base = format!("http://{addr}");
    let office_cookie = format!("qcdc_session={office}");
    let reporter_cookie = format!("qcdc_session={reporter}");
    let bearer = format!("Bearer {office_api}");
    let n = requests.max(5);
    outln!(
        "Đợt #{} ({} đơn vị nhận), {n} lần mỗi trang, backend {:?}; tỉnh {province}, xã {commune}",
        round.id,
        round.recipients,
        store.backend()
    );
    let targets: Vec<(&str, String, (&str, &str))> = vec![
        (
            "baseline /api/v1/health",
            format!("{base}/api/v1/health"),
            ("x-bench", "1"),
        ),
        (
            "round",
            format!("{base}/dot/{}", round.id),
            ("cookie", &office_cookie),
        ),
        (
            "consolidation(country)",
            format!("{base}/dot/{}/tong-hop/{issuer}", round.id),
            ("cookie", &office_cookie),
        ),
        (
            "consolidation(province)",
            format!("{base}/dot/{}/tong-hop/{province}", round.id),
            ("cookie", &office_cookie),
        ),
        (
            "consolidation(commune)",
            format!("{base}/dot/{}/tong-hop/{commune}", round.id),
            ("cookie", &office_cookie),
        ),
        (
            "api consolidation(country)",
            format!("{base}/api/v1/rounds/{}/consolidation/{issuer}", round.id),
            ("authorization", &bearer),
        ),
        (
            "api status(country)",
            format!("{base}/api/v1/rounds/{}/status", round.id),
            ("authorization", &bearer),
        ),
        (
            "narrative(country)",
            format!("{base}/dot/{}/tong-hop/{issuer}/noi-dung", round.id),
            ("cookie", &office_cookie),
        ),
        (
            "form",
            format!("{base}/dot/{}/bao-cao/{commune}", round.id),
            ("cookie", &reporter_cookie),
        ),
        (
            "registers hub(commune)",
            format!("{base}/so-theo-doi/{commune}"),
            ("cookie", &reporter_cookie),
        ),
        (
            "petitions(commune)",
            format!("{base}/so-don/{commune}"),
            ("cookie", &reporter_cookie),
        ),
        (
            "petitions search(commune)",
            format!("{base}/so-don/{commune}?q=nguyen+van"),
            ("cookie", &reporter_cookie),
        ),
        (
            "dialogues(commune)",
            format!("{base}/so-doi-thoai/{commune}"),
            ("cookie", &reporter_cookie),
        ),
        (
            "registers hub(country)",
            format!("{base}/so-theo-doi/{issuer}"),
            ("cookie", &office_cookie),
        ),
        (
            "petitions(province subtree)",
            format!("{base}/so-don/{province}?cay=1"),
            ("cookie", &office_cookie),
        ),
    ];
    let mut p95 = std::collections::HashMap::new();
    for (name, uri, header) in &targets {
        // one warm-up request, then the measured ones
        timed_gets(&c, uri, *header, 1).await?;
        let (lat, bytes) = timed_gets(&c, uri, *header, n).await?;
        outln!(
            "  {name:<28} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  {:>8} byte",
            p(&lat, 0.5),
            p(&lat, 0.95),
            p(&lat, 1.0),
            bytes
        );
        p95.insert(*name, p(&lat, 0.95));
    }
    let g = |k: &str| p95.get(k).copied().unwrap_or(0.0);
    outln!(
        "pages: round p95 {:.1} ms, consolidation(country) p95 {:.1} ms, consolidation(province) p95 {:.1} ms, form p95 {:.1} ms",
        g("round"),
        g("consolidation(country)"),
        g("consolidation(province)"),
        g("form")
    );
    Ok(())
}

/// `qcdc bench saves`: `reporters` signed-in users each saving their draft through
/// the web form as fast as the server answers, for `seconds`, on loopback.
pub async fn saves(store: App, reporters: usize, seconds: u64) -> Result<()> {
    let cx = store.system("bench");
    if !maintenance::is_empty(&cx).await? {
        bail!("Cơ sở dữ liệu đã có dữ liệu; hãy dùng --data với một thư mục mới");
    }
    let day = |s: &str| qcdc_core::period::parse_date(s);
    let rec = |code: String, name: String, kind, parent: Option<String>| -> Result<UnitRecord> {
        Ok(UnitRecord {
            code,
            name,
            kind,
            parent,
            valid_from: day("01/01/2020")?,
            valid_to: None,
            predecessors: vec![],
            succession: None,
        })
    };
    let mut list = vec![(
        2,
        rec("B".into(), "Tỉnh đo tải".into(), UnitKind::Province, None)?,
    )];
    for i in 0..reporters {
        list.push((
            i + 3,
            rec(
                format!("B-X{i:03}"),
                format!("Xã {i}"),
                UnitKind::Commune,
                Some("B".into()),
            )?,
        ));
    }
    units::import(&cx, list).await?;
    let round = rounds::create(
        &cx,
        &NewRound {
            confirm: true,
            title: "Đo tải".into(),
            template: "qcdc-dinh-ky".into(),
            template_version: None,
            period: "2099-H1".parse()?,
            issuer: "B".into(),
            deadline: day("20/06/2099")?,
            letter: String::new(),
            recipients: RecipientSelector {
                kinds: vec![UnitKind::Commune],
                max_depth: None,
                units: vec![],
            },
        },
        store.today(),
    )
    .await?;
    let mut sessions = Vec::new();
    for i in 0..reporters {
        let username = format!("bench{i}");
        users::create(
            &cx,
            &users::NewUser {
                username: username.clone(),
                full_name: "Đo tải".into(),
                password: "mat-khau-do-tai".into(),
                roles: vec![(Role::Reporter, format!("B-X{i:03}"))],
            },
        )
        .await?;
        let token = auth::session_for_user(&cx, &username, 2).await?;
        sessions.push((format!("B-X{i:03}"), auth::csrf_for(&store, &token), token));
    }
    let addr = serve(&store).await?;
    let client = client(reporters);
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
                let Ok(req) = hyper::Request::post(&uri)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", format!("qcdc_session={token}"))
                    .header("hx-request", "true")
                    .body(Full::new(Bytes::from(body)))
                else {
                    failed += 1;
                    continue;
                };
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
    let rate = all.len() as f64 / seconds.max(1) as f64;
    outln!(
        "{reporters} người báo cáo, {seconds} s, {} lượt lưu thành công, {failed} lỗi",
        all.len()
    );
    outln!(
        "saves: {rate:.0}/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, failed {failed}",
        p(&all, 0.5),
        p(&all, 0.99),
        p(&all, 1.0)
    );
    Ok(())
}

/// `qcdc bench registers`: on a generated national dataset with registers, the
/// prefill of one commune's report (median of `repeat`), and the recount of
/// every recipient's sourced figures of the round at once. The baseline in the
/// same run: the one-unit prefill repeated over a sample of recipients, whose
/// figures must equal the recount's (the run fails otherwise), projected to all.
pub async fn registers(store: &App, repeat: usize) -> Result<()> {
    let cx = store.system("bench");
    let round = biggest_round(store).await?;
    let (petitions, _) = qcdc_app::registers::bulk::totals(&cx).await?;
    let recipients = maintenance::recipients(&cx, round.id).await?;
    let commune = recipients
        .iter()
        .find(|(_, _, _, kind)| kind.is_commune_level())
        .map(|(_, code, _, _)| code.clone())
        .context("Đợt không có xã nào nhận")?;
    let mut one = Vec::new();
    for _ in 0..repeat.max(1) {
        let s = Instant::now();
        let p = qcdc_app::registers::prefill::for_round(&cx, round.id, &commune).await?;
        one.push(s.elapsed());
        anyhow::ensure!(!p.items.is_empty(), "{commune} không có số liệu từ sổ");
    }
    one.sort();
    let s = Instant::now();
    let figures = qcdc_app::registers::prefill::for_round_all(&cx, round.id).await?;
    let counted = figures.counted;
    let all = s.elapsed();
    // baseline: the one-unit path over a spread sample, checked against the recount
    let step = (figures.units.len() / 200).max(1);
    let s = Instant::now();
    let mut sampled = 0usize;
    for row in figures.units.iter().step_by(step) {
        let p = qcdc_app::registers::prefill::for_round(&cx, round.id, &row.unit_code).await?;
        for (col, v) in figures.columns.iter().zip(&row.values) {
            let one = p
                .items
                .iter()
                .find(|i| i.indicator == col.indicator)
                .map(|i| i.value);
            anyhow::ensure!(
                one == *v,
                "{}: {} = {one:?} đếm riêng, {v:?} đếm cả đợt",
                row.unit_code,
                col.indicator
            );
        }
        sampled += 1;
    }
    let per_unit = s.elapsed().as_secs_f64() / sampled.max(1) as f64;
    outln!(
        "Đếm từng đơn vị (mẫu {sampled} đơn vị, cùng số liệu): {:.1} ms mỗi đơn vị, ước {:.1} s cho cả đợt",
        per_unit * 1000.0,
        per_unit * figures.units.len() as f64
    );
    outln!(
        "Đợt #{}: {} đơn vị nhận, {counted} số liệu đếm từ sổ; xã đo riêng: {commune}",
        round.id,
        recipients.len()
    );
    outln!(
        "registers: prefill one commune {:.1} ms, prefill all {:.1} s, petitions {petitions}",
        one[one.len() / 2].as_secs_f64() * 1000.0,
        all.as_secs_f64()
    );
    Ok(())
}
