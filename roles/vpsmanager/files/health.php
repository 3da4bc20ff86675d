<?php
// Managed by chom-play. 200 "ok" only when MariaDB and Redis both answer with the site's
// credentials; 503 with the failing part otherwise. Never prints a credential.
header('Content-Type: text/plain');
header('Cache-Control: no-store');
$site = basename(dirname(__DIR__));
$c = require "/etc/chom/$site/credentials.php";
$problems = [];
mysqli_report(MYSQLI_REPORT_OFF);
$db = @mysqli_connect('localhost', $c['db_user'], $c['db_password'], $c['db_name']);
if (!$db || !$db->query('SELECT 1')) {
    $problems[] = 'mariadb: ' . mysqli_connect_errno();
}
try {
    $r = new Redis();
    if (!$r->connect('127.0.0.1', 6379, 2.0) || !$r->auth($c['redis_password']) || $r->ping() === false) {
        $problems[] = 'redis: no answer';
    }
} catch (Throwable $e) {
    $problems[] = 'redis: ' . get_class($e);
}
if ($problems) {
    http_response_code(503);
    echo implode("\n", $problems), "\n";
    exit;
}
echo "ok\n";
