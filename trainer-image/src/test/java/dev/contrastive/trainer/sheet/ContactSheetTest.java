package dev.contrastive.trainer.sheet;

import static dev.contrastive.trainer.sheet.ContactSheetTesting.SIZE;
import static dev.contrastive.trainer.sheet.ContactSheetTesting.assertTile;
import static dev.contrastive.trainer.sheet.ContactSheetTesting.caption;
import static dev.contrastive.trainer.sheet.ContactSheetTesting.captionPixels;
import static dev.contrastive.trainer.sheet.ContactSheetTesting.decode;
import static dev.contrastive.trainer.sheet.ContactSheetTesting.images;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.data.InMemoryImages;
import dev.contrastive.trainer.sheet.ContactSheet.Frame;
import dev.contrastive.trainer.sheet.ContactSheet.Layout;
import dev.contrastive.trainer.train.Neighbours;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A contact sheet as PNG: each image where the layout puts it, scaled whole, framed and scored. */
class ContactSheetTest {

  @Test
  void pngHoldsEveryQueryAndNeighbourPixelForPixelWithLabelFramesAndScores() throws IOException {
    // held-out: 3 images of labels 0, 1, 0; training: 5 images of labels 0, 1, 1, 0, 1
    InMemoryImages heldOut = images(new int[] {0, 1, 0}, 100);
    InMemoryImages train = images(new int[] {0, 1, 1, 0, 1}, 200);
    Neighbours neighbours = new Neighbours(heldOut, train, new int[] {0, 2},
        new int[][] {{3, 1, 0}, {4, 0, 2}}, new float[][] {{0.91f, 0.5f, 0.125f}, {0.873f, -0.25f, -0.5f}});

    BufferedImage sheet = decode(ContactSheet.png(ContactSheet.draw(NeighbourSheets.rows(neighbours))));

    Layout layout = new Layout(SIZE, 2, 3);
    assertThat(layout.scale()).isEqualTo(2);
    assertThat(sheet.getWidth()).isEqualTo(layout.width());
    assertThat(sheet.getHeight()).isEqualTo(layout.height());
    assertTile(sheet, layout, 0, 0, heldOut, 0, Frame.QUERY);
    assertTile(sheet, layout, 0, 1, train, 3, Frame.SAME_LABEL);
    assertTile(sheet, layout, 0, 2, train, 1, Frame.OTHER_LABEL);
    assertTile(sheet, layout, 0, 3, train, 0, Frame.SAME_LABEL);
    assertTile(sheet, layout, 1, 0, heldOut, 2, Frame.QUERY);
    assertTile(sheet, layout, 1, 1, train, 4, Frame.OTHER_LABEL);
    assertTile(sheet, layout, 1, 2, train, 0, Frame.SAME_LABEL);
    assertTile(sheet, layout, 1, 3, train, 2, Frame.OTHER_LABEL);
    // a score under every neighbour, none under a query; different scores draw differently
    assertThat(caption(sheet, layout, 0, 0)).isZero();
    for (int column = 1; column <= 3; column++) {
      assertThat(caption(sheet, layout, 0, column)).as("caption of column %d", column).isPositive();
    }
    assertThat(captionPixels(sheet, layout, 0, 1)).isNotEqualTo(captionPixels(sheet, layout, 1, 1));
  }

  @Test
  void scoresPrintWithThreeDecimals() {
    assertThat(NeighbourSheets.score(0.87349f)).isEqualTo("0.873");
    assertThat(NeighbourSheets.score(-0.25f)).isEqualTo("-0.250");
    assertThat(DigitFont.width("0.873", 2)).isEqualTo((5 * 6 - 1) * 2);
  }

  @Test
  void largeImagesAreNotScaled() {
    assertThat(new Layout(96, 1, 5).tile()).isEqualTo(96);
    assertThat(new Layout(16, 1, 5).tile()).isEqualTo(64);
    assertThat(new Layout(20, 1, 5).tile()).isEqualTo(80);
  }
}
