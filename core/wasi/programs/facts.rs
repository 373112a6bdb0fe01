// Rust's std on WASI: arguments, the environment, files and their errors,
// the clock, and an exit status.
use std::fs;
use std::io::ErrorKind;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args {:?}", &args[1..]);
    println!("GREETING {:?}", std::env::var("GREETING").ok());
    fs::create_dir_all("rs/sub").expect("create_dir_all");
    fs::write("rs/sub/note", b"written by rust\n").expect("write");
    let text = fs::read_to_string("rs/sub/note").expect("read");
    print!("read back: {}", text);
    let missing = fs::read("rs/missing").unwrap_err();
    println!("missing: {:?}", missing.kind() == ErrorKind::NotFound);
    let again = fs::create_dir("rs").unwrap_err();
    println!("exists: {:?}", again.kind() == ErrorKind::AlreadyExists);
    let mut names: Vec<String> = fs::read_dir("rs/sub")
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    names.sort();
    println!("entries {:?}", names);
    fs::remove_dir_all("rs").expect("remove_dir_all");
    println!("removed: {}", fs::metadata("rs").is_err());
    let start = Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(50));
    println!("slept: {}", start.elapsed().as_millis() >= 50);
    std::process::exit(args.len() as i32);
}
