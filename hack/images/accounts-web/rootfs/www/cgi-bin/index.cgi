#!/bin/sh
# The front page: fetches the api tier and shows what it said (the api in turn reports the db).
# (busybox 1.35 wget -T crashes: timeout(1) bounds it instead)
if api=$(timeout 3 wget -q -O - "$API_URL" 2>&1); then status=ok; else status=unreachable; fi
printf 'Content-Type: text/html\r\n\r\n'
cat <<HTML
<!doctype html>
<html><head><title>accounts</title></head><body>
<h1>accounts</h1>
<p>web tier: $(hostname)</p>
<p>api tier ($API_URL): $status</p>
<pre>$(echo "$api" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')</pre>
</body></html>
HTML
