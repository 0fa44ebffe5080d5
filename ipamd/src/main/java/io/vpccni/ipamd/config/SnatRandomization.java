package io.vpccni.ipamd.config;

/** AWS_VPC_K8S_CNI_RANDOMIZESNAT: iptables SNAT flag --random-fully, --random, or none. */
public enum SnatRandomization { PRNG, HASHRANDOM, NONE }
