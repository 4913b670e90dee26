package dev.contrastive.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.generator.annotation.Default;
import org.junit.jupiter.api.Test;

/** A default has one meaning: the CRD's schema default and the Java initializer must agree. */
class DefaultsMatchInitializersTest {

  @Test
  void everySchemaDefaultEqualsTheFieldInitializer() throws Exception {
    ContrastiveTrainingRunSpec fresh = new ContrastiveTrainingRunSpec();
    ObjectMapper json = new ObjectMapper();
    int checked = 0;
    for (SpecFields.Setting setting : SpecFields.ALL) {
      Default schemaDefault = setting.field().getAnnotation(Default.class);
      if (schemaDefault == null) {
        continue;
      }
      Class<?> type = setting.field().getType();
      Object fromAnnotation = type == String.class
          ? schemaDefault.value()
          : json.readValue(schemaDefault.value(), type);
      assertThat(setting.valueIn(fresh)).as(setting.key()).isEqualTo(fromAnnotation);
      checked++;
    }
    assertThat(checked).isGreaterThan(30);
  }

  @Test
  void settingsWithoutSchemaDefaultStartUnset() {
    ContrastiveTrainingRunSpec fresh = new ContrastiveTrainingRunSpec();
    for (SpecFields.Setting setting : SpecFields.ALL) {
      Object value = setting.valueIn(fresh);
      boolean emptyCollection = value instanceof java.util.Map<?, ?> m && m.isEmpty()
          || value instanceof java.util.List<?> l && l.isEmpty();
      if (setting.field().getAnnotation(Default.class) == null && !emptyCollection) {
        assertThat(value).as("%s has an initializer but no @Default", setting.key()).isNull();
      }
    }
  }
}
