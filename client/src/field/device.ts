/** The device: where it stands, and its photos resized before they travel. */

/** [lng, lat] of the device, or null (no permission, no fix within `timeoutMs`). */
export function currentPosition(timeoutMs = 8000): Promise<{ position: [number, number]; accuracy: number } | null> {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((done) => {
    navigator.geolocation.getCurrentPosition(
      (p) => done({ position: [p.coords.longitude, p.coords.latitude], accuracy: p.coords.accuracy }),
      () => done(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

/** Metres between two [lng, lat] points (haversine; enough for a work list's order). */
export function metres(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** Longest side of a photo sent to the server (pixels). */
export const PHOTO_MAX_SIDE = 1600;

/**
 * A camera photo made ready to send: its EXIF time and GPS read first (the server keeps them in
 * its table), then redrawn on a canvas at most PHOTO_MAX_SIDE pixels long (a canvas keeps no
 * EXIF) and encoded as JPEG.
 */
export async function preparePhoto(file: File): Promise<{ blob: Blob; takenAt: Date | null; position: [number, number] | null }> {
  let takenAt: Date | null = null;
  let position: [number, number] | null = null;
  try {
    const exifr = (await import('exifr')).default;
    const exif = (await exifr.parse(file, {
      gps: true,
      pick: ['DateTimeOriginal', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'],
    })) as {
      DateTimeOriginal?: Date;
      latitude?: number;
      longitude?: number;
    } | null;
    if (exif?.DateTimeOriginal instanceof Date && !Number.isNaN(exif.DateTimeOriginal.getTime())) takenAt = exif.DateTimeOriginal;
    if (typeof exif?.latitude === 'number' && typeof exif.longitude === 'number') position = [exif.longitude, exif.latitude];
  } catch {
    // no EXIF or an unreadable one: the device's clock and position are used
  }
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob>((done, fail) => canvas.toBlob((b) => (b ? done(b) : fail(new Error('encode'))), 'image/jpeg', 0.82));
  return { blob, takenAt, position };
}

/** A link that opens the device's navigation app at the appeal (geo: URI, RFC 5870). */
export const geoUri = ([lng, lat]: [number, number], label: string) =>
  `geo:${lat.toFixed(6)},${lng.toFixed(6)}?q=${lat.toFixed(6)},${lng.toFixed(6)}(${encodeURIComponent(label)})`;

/** The same place as a web map's directions link, for devices without a geo: handler. */
export const mapsLink = ([lng, lat]: [number, number]) =>
  `https://www.openstreetmap.org/directions?to=${lat.toFixed(6)}%2C${lng.toFixed(6)}#map=17/${lat.toFixed(6)}/${lng.toFixed(6)}`;
