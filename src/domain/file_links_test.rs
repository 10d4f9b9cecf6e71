use super::*;

#[test]
fn a_file_url_sits_under_the_public_url_with_its_name_encoded() {
    let links = FileLinks::new("https://api.example.com/");
    assert_eq!(
        links.url("a1", "k2", "my photo#1.png"),
        "https://api.example.com/files/a1/k2/my+photo%231.png"
    );
    assert_eq!(links.upload_url(), "https://api.example.com/files/upload/");
}
