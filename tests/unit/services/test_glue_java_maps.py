"""Glue returns a string map (table Parameters) in Java HashMap order, not in the request's order."""

from __future__ import annotations

from lakebox.services.glue.java_maps import hash_map_order


def test_awswrangler_parquet_table_parameters_come_back_in_hash_map_order():
    given = {"classification": "parquet", "compressionType": "none", "typeOfData": "file",
             "projection.enabled": "false"}
    assert list(hash_map_order(given)) == ["compressionType", "classification", "projection.enabled", "typeOfData"]
    assert hash_map_order(given) == given


def test_large_map_follows_java_hash_map_with_resizes_and_utf16_hashes():
    # The order java.util.HashMap (JDK 17) iterates these 42 keys in, inserted in this order.
    keys = [f"key{i}" for i in range(40)] + ["h\u00e9llo", "projection.dt.format"]
    java = ("key1,key2,key0,key5,key6,key3,key4,key9,key7,key8,key22,key21,key20,key15,key37,key14,key36,key13,"
            "key35,key12,key34,key19,key18,key17,key39,key16,key38,projection.dt.format,h\u00e9llo,key11,key33,"
            "key10,key32,key31,key30,key26,key25,key24,key23,key29,key28,key27").split(",")
    assert list(hash_map_order({k: "v" for k in keys})) == java
    assert hash_map_order({}) == {} and list(hash_map_order({"b": 1})) == ["b"]
