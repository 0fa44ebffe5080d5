package io.vpccni.ipamd.k8s;

import java.util.Optional;

/** A pod scheduled on this node, as far as address bookkeeping cares. */
public record PodInfo(String namespace, String name, String uid, Optional<String> ipAnnotation) {}
