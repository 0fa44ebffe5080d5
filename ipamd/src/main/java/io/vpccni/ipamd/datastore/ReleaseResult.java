package io.vpccni.ipamd.datastore;

/** Outcome of {@link Datastore#release}. Releasing an unknown key is not an error (CNI DEL is idempotent). */
public sealed interface ReleaseResult {

    record Released(Allocation allocation, String eniId, int deviceIndex) implements ReleaseResult {}

    record NotFound(AllocationKey key) implements ReleaseResult {}
}
