package dev.contrastive.trainer.sheet;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A contact sheet: one row per query, the query image and then its nearest images, most similar
 * first, each with its cosine score under it. Frames say what the labels say: white for the
 * query, green for a neighbour of the query's label, red for another label, grey where labels are
 * unknown. Small images are scaled up by a whole factor (nearest pixel), so 32 px images stay sharp.
 */
public final class ContactSheet {

  /** Images smaller than this are scaled up by a whole factor to at least this size. */
  public static final int MIN_TILE = 64;
  static final int BORDER = 2;
  static final int PAD = 6;
  /** Space between the query and its neighbours. */
  static final int GAP = 14;
  static final int TEXT_SCALE = 2;
  static final int CAPTION = DigitFont.HEIGHT * TEXT_SCALE + 6;

  static final int BACKGROUND = 0x202020;
  static final int TEXT = 0xEEEEEE;

  /** How a tile relates to its row's query, which its frame shows. */
  public enum Frame {
    QUERY(0xFFFFFF), SAME_LABEL(0x2ECC40), OTHER_LABEL(0xFF4136), UNKNOWN(0x888888);

    final int rgb;

    Frame(int rgb) {
      this.rgb = rgb;
    }
  }

  /** One square image: {@code 3 x size x size} unsigned bytes in (C, H, W) order. */
  public record Tile(byte[] chw, int size, String caption, Frame frame) {
    public Tile {
      if (chw.length != 3 * size * size) {
        throw new IllegalArgumentException("a tile of " + size + " px needs " + 3 * size * size + " bytes, got " + chw.length);
      }
    }
  }

  /** A query and its neighbours, most similar first. */
  public record Row(Tile query, List<Tile> neighbours) {}

  /** Where things are on a sheet of {@code rows} rows of 1 + {@code neighbours} images of {@code imageSize} px. */
  public record Layout(int imageSize, int rows, int neighbours) {

    public int scale() {
      return Math.max(1, (MIN_TILE + imageSize - 1) / imageSize);
    }

    /** Side of an image as drawn. */
    public int tile() {
      return imageSize * scale();
    }

    int cell() {
      return tile() + 2 * BORDER;
    }

    public int width() {
      return PAD + cell() + (neighbours == 0 ? PAD : GAP + neighbours * (cell() + PAD));
    }

    public int height() {
      return PAD + rows * (cell() + CAPTION + PAD);
    }

    /** Top-left pixel of the frame of image {@code column} (0: the query) of {@code row}. */
    public int frameX(int column) {
      return column == 0 ? PAD : PAD + cell() + GAP + (column - 1) * (cell() + PAD);
    }

    public int frameY(int row) {
      return PAD + row * (cell() + CAPTION + PAD);
    }

    /** Top-left pixel of the image itself. */
    public int imageX(int column) {
      return frameX(column) + BORDER;
    }

    public int imageY(int row) {
      return frameY(row) + BORDER;
    }

    /** Top of the caption strip under the images of {@code row}. */
    public int captionY(int row) {
      return frameY(row) + cell() + 3;
    }
  }

  private ContactSheet() {}

  /** The layout {@link #draw} uses for these rows (all tiles of one size). */
  public static Layout layout(List<Row> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a contact sheet needs at least one row");
    }
    int size = rows.get(0).query().size();
    int neighbours = rows.stream().mapToInt(r -> r.neighbours().size()).max().orElse(0);
    return new Layout(size, rows.size(), neighbours);
  }

  public static BufferedImage draw(List<Row> rows) {
    Layout layout = layout(rows);
    BufferedImage sheet = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
    fill(sheet, 0, 0, layout.width(), layout.height(), BACKGROUND);
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      tile(sheet, layout, r, 0, row.query());
      for (int c = 0; c < row.neighbours().size(); c++) {
        tile(sheet, layout, r, c + 1, row.neighbours().get(c));
      }
    }
    return sheet;
  }

  /** The sheet as PNG bytes. */
  public static byte[] png(BufferedImage sheet) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(sheet, "png", out)) {
        throw new IllegalStateException("this JVM has no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void tile(BufferedImage sheet, Layout layout, int row, int column, Tile tile) {
    if (tile.size() != layout.imageSize()) {
      throw new IllegalArgumentException("all images of a sheet must have one size: " + tile.size() + " and "
          + layout.imageSize() + " px");
    }
    int x = layout.frameX(column);
    int y = layout.frameY(row);
    fill(sheet, x, y, layout.cell(), layout.cell(), tile.frame().rgb);
    int size = tile.size();
    int plane = size * size;
    int scale = layout.scale();
    for (int py = 0; py < size; py++) {
      for (int px = 0; px < size; px++) {
        int i = py * size + px;
        int rgb = (tile.chw()[i] & 0xFF) << 16 | (tile.chw()[plane + i] & 0xFF) << 8 | (tile.chw()[2 * plane + i] & 0xFF);
        fill(sheet, layout.imageX(column) + px * scale, layout.imageY(row) + py * scale, scale, scale, rgb);
      }
    }
    String caption = tile.caption() == null ? "" : tile.caption();
    int textX = x + Math.max(0, (layout.cell() - DigitFont.width(caption, TEXT_SCALE)) / 2);
    DigitFont.draw(sheet, caption, textX, layout.captionY(row), TEXT_SCALE, TEXT);
  }

  private static void fill(BufferedImage image, int x, int y, int width, int height, int rgb) {
    for (int dy = 0; dy < height; dy++) {
      for (int dx = 0; dx < width; dx++) {
        image.setRGB(x + dx, y + dy, rgb);
      }
    }
  }
}
