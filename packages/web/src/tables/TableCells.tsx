// Owns drawing one table cell by its column type: numbers right-aligned and formatted, class cells as
// label chips coloured by label, image cells as thumbnails (fetched with the API key when the server
// needs one, since an <img> cannot send it), booleans and strings as text.
import { useEffect, useState } from "react";
import { api, apiKey } from "../api/client";
import { runColor, withAlpha } from "../ui/colors";
import { cellText, classLabel, isImageCell, type ClassMap } from "./cells";
import type { TableCell, TableColumn } from "./wire";

export function CellView({ value, column, classes }: { value: TableCell | undefined; column: TableColumn; classes: ClassMap }) {
  if (isImageCell(value)) return <Thumb url={value.image} />;
  if (value === null || value === undefined) return <span className="muted">–</span>;
  if (column.type === "class") {
    const label = classLabel(value, classes);
    const color = runColor(label);
    return <span className="class-chip" style={{ background: withAlpha(color, 0.16), borderColor: withAlpha(color, 0.5) }}>{label}</span>;
  }
  return <>{cellText(value, column, classes)}</>;
}

/** The td class for a column: numbers align right. */
export function cellClass(column: TableColumn): string | undefined {
  return column.type === "number" ? "num" : column.type === "image" ? "table-image-cell" : undefined;
}

function Thumb({ url }: { url: string }) {
  const keyed = apiKey() !== null;
  const [src, setSrc] = useState<string | null>(keyed ? null : url);
  useEffect(() => {
    if (!keyed) {
      setSrc(url);
      return;
    }
    const ctl = new AbortController();
    let made: string | null = null;
    api.tableImageBlob(url, ctl.signal).then((b) => {
      made = URL.createObjectURL(b);
      setSrc(made);
    }, () => undefined);
    return () => {
      ctl.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, keyed]);
  return src ? <a href={src} target="_blank" rel="noreferrer"><img className="table-thumb" src={src} alt="" loading="lazy" /></a> : <span className="table-thumb" />;
}
