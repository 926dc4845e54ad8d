/** Where an s3:// archive URL points; apart from the S3 sink so naming it does not load the AWS SDK. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`AUDIT_ARCHIVE_URL: "${url}" is not s3://bucket/prefix`);
  const prefix = m[2]!.replace(/\/+$/, "");
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : "" };
}
