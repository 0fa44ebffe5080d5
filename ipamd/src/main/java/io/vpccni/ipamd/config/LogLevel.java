package io.vpccni.ipamd.config;

/** aws-vpc-cni's log levels (matched case-insensitively). */
public enum LogLevel { DEBUG, INFO, WARN, ERROR, FATAL }
