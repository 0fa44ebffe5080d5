package io.vpccni.cni.plugin;

import io.vpccni.cni.spec.CmdArgs;
import io.vpccni.cni.spec.CniError;

/**
 * The Kubernetes pod behind an attachment, from CNI_ARGS. ADD needs namespace and name (they name
 * the host veth and ipamd records them); DEL tolerates their absence, as a runtime cleaning up may
 * no longer know them.
 */
record PodIdentity(String namespace, String name, String uid, String infraContainerId) {

    static PodIdentity of(CmdArgs args) {
        return new PodIdentity(args.arg(CmdArgs.K8S_POD_NAMESPACE).orElse(""),
                args.arg(CmdArgs.K8S_POD_NAME).orElse(""), args.arg(CmdArgs.K8S_POD_UID).orElse(""),
                args.arg(CmdArgs.K8S_POD_INFRA_CONTAINER_ID).orElse(""));
    }

    /** @throws CniError 4 when CNI_ARGS lacks the pod's namespace or name */
    static PodIdentity required(CmdArgs args) throws CniError {
        PodIdentity p = of(args);
        if (p.namespace().isBlank() || p.name().isBlank()) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS must carry K8S_POD_NAMESPACE and "
                    + "K8S_POD_NAME (the host veth is named after them)", "CNI_ARGS had " + args.args().keySet());
        }
        return p;
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
