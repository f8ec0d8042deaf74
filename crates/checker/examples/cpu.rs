//! CPU time of each stage of the checker over files: `cpu REPEATS FILES…` (a development aid).
fn utime() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    f.get(11).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0) / 100.0
}
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args[0].parse().unwrap_or(10);
    let data: Vec<Vec<u8>> = args[1..]
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_default())
        .collect();
    let mb: f64 = data.iter().map(|d| d.len()).sum::<usize>() as f64 / 1e6;
    let stage = |name: &str, f: &dyn Fn()| {
        let t = utime();
        for _ in 0..reps {
            f();
        }
        let u = (utime() - t) / reps as f64;
        println!(
            "{name}: {:.1} ms CPU per pass, {:.1} MB/s",
            u * 1000.0,
            mb / u
        );
    };
    stage("read", &|| {
        for d in &data {
            std::hint::black_box(qcdc_checker::read(d).ok());
        }
    });
    let docs: Vec<_> = data
        .iter()
        .filter_map(|d| qcdc_checker::read(d).ok())
        .collect();
    stage("checks", &|| {
        for d in &docs {
            let mut o = vec![];
            qcdc_checker::checks::check(d, &mut o);
        }
    });
    stage("citations", &|| {
        for d in &docs {
            let mut o = vec![];
            qcdc_checker::citations::check(d, &mut o);
        }
    });
    stage("read+check", &|| {
        for d in &data {
            if let Ok(doc) = qcdc_checker::read(d) {
                std::hint::black_box(qcdc_checker::check(&doc));
            }
        }
    });
}
