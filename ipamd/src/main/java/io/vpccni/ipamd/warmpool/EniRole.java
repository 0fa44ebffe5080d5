package io.vpccni.ipamd.warmpool;

/** What an ENI is for. Only PRIMARY and SECONDARY ENIs carry pod addresses; only SECONDARY ones may be freed. */
public enum EniRole {
    PRIMARY,
    SECONDARY,
    /** Security-groups-for-pods trunk: never given pod addresses here, never freed by the pool. */
    TRUNK,
    /** EFA ENI: left alone by the pool. */
    EFA
}
