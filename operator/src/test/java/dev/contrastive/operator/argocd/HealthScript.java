package dev.contrastive.operator.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs an Argo CD health script the way Argo CD does: only the base, package, table, string and
 * math libraries (no os, no io), the resource as the global {@code obj}, and the returned table
 * must carry one of Argo CD's health codes.
 */
final class HealthScript {

  static final Set<String> HEALTH_CODES =
      Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

  private final String source;
  private final String name;

  HealthScript(String source, String name) {
    this.source = source;
    this.name = name;
  }

  HealthStatus evaluate(JsonNode resource) {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    globals.set("obj", LuaObjects.toLua(resource));

    LuaValue result = globals.load(source, name).call();
    if (!result.istable()) {
      throw new IllegalStateException(name + " returned " + result.typename() + ", not a table");
    }
    String status = result.get("status").optjstring(null);
    if (!HEALTH_CODES.contains(status)) {
      throw new IllegalStateException(
          name + " returned status " + status + "; Argo CD accepts " + HEALTH_CODES);
    }
    return new HealthStatus(status, result.get("message").optjstring(""));
  }
}
