package dev.contrastive.trainer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The vector instructions libtorch's CPU kernels (oneDNN) run with: the CPU's best, unless
 * {@code ONEDNN_MAX_CPU_ISA} caps it. Figures and failures differ between AVX2 and AVX-512
 * machines, so the trainer prints this at start-up and {@code trainer bench} on every line.
 *
 * @param model the CPU's model name, or "unknown CPU"
 * @param cpu what the CPU offers: AVX-512+AMX, AVX-512+BF16, AVX-512, AVX2 or pre-AVX2
 * @param cap the value of ONEDNN_MAX_CPU_ISA (or the older DNNL_MAX_CPU_ISA), null when not set
 */
public record CpuIsa(String model, String cpu, String cap) {

  /** The variable that caps oneDNN's instruction set (read once, when libtorch first runs). */
  public static final String CAP_VARIABLE = "ONEDNN_MAX_CPU_ISA";

  /** Ranks of the levels above, lowest first, to tell whether a cap lowers the CPU's level. */
  private static final Map<String, Integer> RANK =
      Map.of("pre-AVX2", 0, "AVX2", 1, "AVX-512", 2, "AVX-512+BF16", 3, "AVX-512+AMX", 4);

  /** This machine, from /proc/cpuinfo and the environment. */
  public static CpuIsa detect(Map<String, String> env) {
    String cpuinfo;
    try {
      cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      cpuinfo = ""; // not Linux: the line says "unknown"
    }
    String cap = env.getOrDefault(CAP_VARIABLE, env.get("DNNL_MAX_CPU_ISA"));
    return parse(cpuinfo, cap == null || cap.isBlank() ? null : cap.trim());
  }

  /** Reads the first processor's model name and flags of a /proc/cpuinfo text. */
  static CpuIsa parse(String cpuinfo, String cap) {
    String model = "unknown CPU";
    Set<String> flags = Set.of();
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("model name") && model.equals("unknown CPU")) {
        model = value;
      } else if (key.equals("flags") && flags.isEmpty()) {
        flags = Arrays.stream(value.split("\\s+")).collect(Collectors.toSet());
      }
    }
    return new CpuIsa(model, level(flags), cap);
  }

  private static String level(Set<String> flags) {
    if (flags.contains("avx512f")) {
      if (flags.contains("amx_tile")) {
        return "AVX-512+AMX";
      }
      return flags.contains("avx512_bf16") ? "AVX-512+BF16" : "AVX-512";
    }
    return flags.contains("avx2") ? "AVX2" : "pre-AVX2";
  }

  /** The level oneDNN runs at: the CPU's, or the cap's where that is lower. */
  public String engine() {
    if (cap == null) {
      return cpu;
    }
    String capped = capLevel(cap);
    return RANK.get(capped) < RANK.get(cpu) ? capped : cpu;
  }

  /** Whether oneDNN may use AVX-512 here: the CPU has it and no cap forbids it. */
  public boolean usesAvx512() {
    return engine().startsWith("AVX-512");
  }

  /** oneDNN's names (SSE41, AVX, AVX2, AVX2_VNNI, AVX512_CORE, AVX512_CORE_BF16, ...) as our levels. */
  private static String capLevel(String cap) {
    String name = cap.toUpperCase(Locale.ROOT);
    if (name.contains("AMX")) {
      return "AVX-512+AMX";
    }
    if (name.startsWith("AVX512") || name.startsWith("AVX10")) {
      return name.contains("BF16") || name.contains("FP16") ? "AVX-512+BF16" : "AVX-512";
    }
    if (name.startsWith("AVX2")) {
      return "AVX2";
    }
    return name.equals("ALL") || name.equals("DEFAULT") ? "AVX-512+AMX" : "pre-AVX2";
  }

  /** For benchmark lines: {@code AVX-512+BF16}, or {@code AVX2(capped)} under a lower cap. */
  public String shortName() {
    return engine().equals(cpu) ? cpu : engine() + "(capped)";
  }

  /** The start-up line, e.g. {@code cpu: AMD EPYC, AVX-512+BF16 (oneDNN: AVX2, capped by ONEDNN_MAX_CPU_ISA=AVX2)}. */
  public String describe() {
    String engine = engine();
    String how = cap == null ? "oneDNN: " + engine
        : "oneDNN: " + engine + (engine.equals(cpu) ? ", " : ", capped by ") + CAP_VARIABLE + "=" + cap;
    return "cpu: " + model + ", " + cpu + " (" + how + ")";
  }
}
