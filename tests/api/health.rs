use awc::http::StatusCode;

use crate::{backend_tests, helpers::TestApp};

async fn liveness_and_readiness_answer_ok(app: TestApp) {
    for path in ["/health/live", "/health/ready"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body["status"], "ok", "{path}");
    }
}

backend_tests!(liveness_and_readiness_answer_ok);
