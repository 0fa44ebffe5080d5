package io.vpccni.ipamd.pool;

/**
 * Host-side networking of an ENI (link up, address, route table, rules), done when the pool attaches an ENI and
 * undone before it is detached. Implemented by the host networking package; tests may pass {@link #NONE} when the
 * node has no kernel links for its ENIs.
 */
public interface EniNetworking {

    void attached(NodeEni eni);

    void detaching(NodeEni eni);

    EniNetworking NONE = new EniNetworking() {
        @Override
        public void attached(NodeEni eni) {}

        @Override
        public void detaching(NodeEni eni) {}
    };
}
