package dev.contrastive.trainer.sheet;

import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.sheet.ContactSheet.Frame;
import dev.contrastive.trainer.sheet.ContactSheet.Row;
import dev.contrastive.trainer.sheet.ContactSheet.Tile;
import dev.contrastive.trainer.train.Neighbours;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rows of an evaluation's contact sheet: each held-out query and its nearest training images. */
public final class NeighbourSheets {

  private NeighbourSheets() {}

  public static List<Row> rows(Neighbours neighbours) {
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < neighbours.queries().length; r++) {
      int query = neighbours.queries()[r];
      int label = neighbours.heldOut().label(query);
      List<Tile> found = new ArrayList<>();
      for (int j = 0; j < neighbours.nearest()[r].length; j++) {
        int index = neighbours.nearest()[r][j];
        found.add(new Tile(pixels(neighbours.train(), index), neighbours.train().imageSize(),
            score(neighbours.scores()[r][j]),
            neighbours.train().label(index) == label ? Frame.SAME_LABEL : Frame.OTHER_LABEL));
      }
      rows.add(new Row(new Tile(pixels(neighbours.heldOut(), query), neighbours.heldOut().imageSize(), "", Frame.QUERY),
          found));
    }
    return rows;
  }

  /** A cosine as the sheet prints it. */
  public static String score(float cosine) {
    return String.format(Locale.ROOT, "%.3f", cosine);
  }

  static byte[] pixels(LabelledImages images, int index) {
    byte[] chw = new byte[images.bytesPerImage()];
    images.readInto(index, chw, 0);
    return chw;
  }
}
