package dev.contrastive.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The operator's metrics on Quarkus's registry, which /q/metrics serves. */
@Singleton
public class OperatorMetricsProducer {

  @Produces
  @Singleton
  OperatorMetrics operatorMetrics(MeterRegistry registry) {
    return new OperatorMetrics(registry);
  }
}
