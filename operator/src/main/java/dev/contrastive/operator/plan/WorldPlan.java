package dev.contrastive.operator.plan;

import java.util.Optional;

/** A world the run can start with, or why there is none yet ({@code reason} is one CamelCase word). */
public record WorldPlan(Optional<World> world, String reason, String message) {

  public static WorldPlan of(World world) {
    return new WorldPlan(Optional.of(world), null, null);
  }

  public static WorldPlan none(String reason, String message) {
    return new WorldPlan(Optional.empty(), reason, message);
  }
}
