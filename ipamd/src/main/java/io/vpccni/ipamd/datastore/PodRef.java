package io.vpccni.ipamd.datastore;

import java.util.Objects;

/** The pod an address was given to; carried into the checkpoint's metadata. The uid may be empty. */
public record PodRef(String namespace, String name, String uid) {
    public PodRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
    }
}
