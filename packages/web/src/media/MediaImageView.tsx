// Owns drawing one logged image: the picture at its display size (small ones scaled up with crisp
// pixels), its masks as recoloured canvases, its boxes as an SVG overlay (rectangles and "label
// score" tags in the class colour, after the class toggles and the score threshold), and its caption.
import { useMediaSrc } from "./useMediaSrc";
import { MaskCanvas } from "./MaskCanvas";
import { boxTag, displaySize, filterBoxes, scaleBox, tagPosition } from "./boxes";
import { classColor, classLabel } from "./classes";
import type { MediaImage } from "./wire";

const TAG_H = 15;
/** Width of one character of the 11px monospace tag font. */
const TAG_CHAR_W = 6.7;

export interface ImageFilters {
  /** Box class ids unticked. */
  hiddenBoxes: ReadonlySet<number>;
  minScore: number;
  /** The class ids to paint, per mask name. */
  maskVisible(name: string): ReadonlySet<number>;
  opacity: number;
  onMaskClasses?(name: string, ids: number[]): void;
}

export function MediaImageView({ image, step, filters }: { image: MediaImage; step: number; filters: ImageFilters }) {
  const natural = { width: image.width, height: image.height };
  const shown = displaySize(natural);
  const { src, error } = useMediaSrc(image.url);
  const drawn = filterBoxes(image.boxes, filters.hiddenBoxes, filters.minScore).flatMap((box) => {
    const rect = scaleBox(box, natural, shown);
    if (!rect) return [];
    const label = classLabel(box.class, image.classes);
    return [{ box, rect, label, color: classColor(box.class), tag: boxTag(label, box.score) }];
  });
  const alt = image.caption || `image ${image.index} at step ${step}`;
  return (
    <figure className="media-figure">
      <div className="media-frame" style={{ width: shown.width, height: shown.height }}>
        {src ? (
          <img
            className="media-img" data-testid="media-image" data-index={image.index} data-step={step}
            src={src} alt={alt} width={shown.width} height={shown.height}
          />
        ) : (
          <div className="media-img muted" data-testid="media-image" data-index={image.index} data-step={step} role={error ? "alert" : "status"}>
            {error ? `Could not load the image: ${error instanceof Error ? error.message : String(error)}` : "Loading…"}
          </div>
        )}
        {image.masks.map((m) => (
          <MaskCanvas
            key={m.name} name={m.name} url={m.url} natural={natural} shown={shown}
            visible={filters.maskVisible(m.name)} opacity={filters.opacity} onClasses={filters.onMaskClasses}
          />
        ))}
        <svg className="media-boxes" width={shown.width} height={shown.height} viewBox={`0 0 ${shown.width} ${shown.height}`} aria-hidden="true">
          {drawn.map((d, i) => (
            <rect
              key={i} data-testid="media-box" data-class={d.label} data-class-id={d.box.class}
              data-score={typeof d.box.score === "number" ? d.box.score : undefined}
              x={d.rect.x} y={d.rect.y} width={d.rect.w} height={d.rect.h} fill="none" stroke={d.color} strokeWidth={2}
            >
              <title>{d.box.caption ? `${d.tag}: ${d.box.caption}` : d.tag}</title>
            </rect>
          ))}
          {/* Tags after every rectangle, so no box's outline crosses another box's tag. */}
          {drawn.map((d, i) => {
            const size = { width: d.tag.length * TAG_CHAR_W + 6, height: TAG_H };
            const at = tagPosition(d.rect, size, shown);
            return (
              <g key={i} className="media-box-label">
                <rect x={at.x} y={at.y} width={size.width} height={size.height} fill={d.color} />
                <text x={at.x + 3} y={at.y + TAG_H - 4} className="media-box-tag">{d.tag}</text>
              </g>
            );
          })}
        </svg>
      </div>
      {image.caption ? <figcaption className="muted">{image.caption}</figcaption> : null}
    </figure>
  );
}
