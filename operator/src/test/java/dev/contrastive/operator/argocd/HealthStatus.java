package dev.contrastive.operator.argocd;

/** What an Argo CD health script returns: a health code and a message for people. */
record HealthStatus(String status, String message) {}
