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
