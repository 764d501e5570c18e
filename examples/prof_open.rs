#[path = "../benches/support/gen.rs"]
mod gen;
fn main() {
    let text = gen::work_log(5000);
    let t = std::time::Instant::now();
    for _ in 0..5 {
        let d = worklog_ls::document::Document::new(&text);
        std::hint::black_box(d);
    }
    eprintln!("{:?}", t.elapsed() / 5);
}
