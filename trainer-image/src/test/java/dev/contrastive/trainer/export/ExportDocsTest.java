package dev.contrastive.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The module code shown in docs/export.md is the code the PyTorch tests load
 * (docs/export/contrastive_encoders.py), word for word: the page cannot drift from what is tested.
 */
class ExportDocsTest {

  private static final Path PAGE = Path.of("../docs/export.md");
  private static final Path MODULES = Path.of("../docs/export/contrastive_encoders.py");

  @Test
  void everyModuleOnThePageIsInTheTestedFile() throws IOException {
    String modules = Files.readString(MODULES);
    List<String> shown = new ArrayList<>();
    Matcher block = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(PAGE));
    while (block.find()) {
      String code = block.group(1);
      if (code.startsWith("class ") || code.startsWith("def ")) {
        shown.add(code);
      }
    }

    assertThat(shown).as("module code blocks on the page").hasSizeGreaterThanOrEqualTo(2);
    for (String code : shown) {
      assertThat(modules).as("docs/export.md block starting %s", code.lines().findFirst().orElse(""))
          .contains(code);
    }
  }
}
