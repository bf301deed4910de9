//! Cached tree listings (`trees/{commit}.json`), in Python 2.x's format.

use hf_cache::tree::{TreeEntry, TreeListing, read_tree, tree_path, write_tree};

use crate::commit;

#[test]
fn tree_listings_round_trip_in_pythons_format_and_bad_ones_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let c = commit(7);
    assert_eq!(read_tree(dir.path(), &c), None);
    let mut listing = TreeListing::new();
    listing.insert("config.json".into(), TreeEntry::new(2, "b1", None));
    listing.insert(
        "w.bin".into(),
        TreeEntry::new(9, "b2", Some(("ab".repeat(32), 9))),
    );
    write_tree(dir.path(), &c, &listing).unwrap();
    let path = tree_path(dir.path(), &c);
    assert_eq!(
        path,
        dir.path()
            .join("trees")
            .join(format!("{}.json", c.as_str()))
    );
    // `json.dump(data, f, indent=1)`, keys in Python's order.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!(
            "{{\n \"format_version\": 1,\n \"files\": {{\n  \"config.json\": {{\n   \"size\": 2,\n   \
             \"blob_id\": \"b1\"\n  }},\n  \"w.bin\": {{\n   \"size\": 9,\n   \"blob_id\": \"b2\",\n   \
             \"lfs_sha256\": \"{}\",\n   \"lfs_size\": 9\n  }}\n }}\n}}",
            "ab".repeat(32)
        )
    );
    let read = read_tree(dir.path(), &c).unwrap();
    assert_eq!(read, listing);
    assert_eq!(read["w.bin"].etag(), "ab".repeat(32));
    assert_eq!(read["config.json"].etag(), "b1");

    for bad in [
        r#"{"format_version": 2, "files": {}}"#,
        r#"{"format_version": 1, "files": {"a": {"size": 1, "blob_id": "x", "xet_hash": "nope"}}}"#,
        "not json",
    ] {
        std::fs::write(&path, bad).unwrap();
        assert_eq!(read_tree(dir.path(), &c), None, "{bad}");
    }
}
