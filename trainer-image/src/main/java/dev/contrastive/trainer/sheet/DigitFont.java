package dev.contrastive.trainer.sheet;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * A 5 x 7 pixel font of the characters a score needs (digits, '.', '-'), drawn pixel by pixel:
 * trainer images (a JRE, or a CUDA base) may have no fonts, and AWT's text then fails.
 */
final class DigitFont {

  static final int WIDTH = 5;
  static final int HEIGHT = 7;

  private static final Map<Character, String[]> GLYPHS = Map.ofEntries(
      Map.entry('0', new String[] {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}),
      Map.entry('1', new String[] {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}),
      Map.entry('2', new String[] {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}),
      Map.entry('3', new String[] {"####.", "....#", "....#", ".###.", "....#", "....#", "####."}),
      Map.entry('4', new String[] {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}),
      Map.entry('5', new String[] {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}),
      Map.entry('6', new String[] {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}),
      Map.entry('7', new String[] {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}),
      Map.entry('8', new String[] {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}),
      Map.entry('9', new String[] {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}),
      Map.entry('.', new String[] {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}),
      Map.entry('-', new String[] {".....", ".....", ".....", "#####", ".....", ".....", "....."}));

  private DigitFont() {}

  /** Width in pixels of {@code text} at {@code scale} (one blank column between characters). */
  static int width(String text, int scale) {
    return text.isEmpty() ? 0 : (text.length() * (WIDTH + 1) - 1) * scale;
  }

  /**
   * Draws {@code text} with its top-left corner at (x, y); characters it has no glyph for are
   * left blank.
   */
  static void draw(BufferedImage image, String text, int x, int y, int scale, int rgb) {
    for (int c = 0; c < text.length(); c++) {
      String[] glyph = GLYPHS.get(text.charAt(c));
      int left = x + c * (WIDTH + 1) * scale;
      if (glyph == null) {
        continue;
      }
      for (int row = 0; row < HEIGHT; row++) {
        for (int col = 0; col < WIDTH; col++) {
          if (glyph[row].charAt(col) == '#') {
            fill(image, left + col * scale, y + row * scale, scale, rgb);
          }
        }
      }
    }
  }

  private static void fill(BufferedImage image, int x, int y, int size, int rgb) {
    for (int dy = 0; dy < size; dy++) {
      for (int dx = 0; dx < size; dx++) {
        if (x + dx < image.getWidth() && y + dy < image.getHeight()) {
          image.setRGB(x + dx, y + dy, rgb);
        }
      }
    }
  }
}
