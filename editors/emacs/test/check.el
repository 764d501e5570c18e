;;; check.el --- headless test of worklog-ls.el with eglot  -*- lexical-binding: t; -*-

;; Run by run.sh:  emacs --batch -q -l worklog-ls.el -l check.el
;; Environment: WORKLOG_WS, a throwaway copy of examples/ whose
;; Auth-WorkLog-v4.md has `[high]` on line 52; `worklog-ls' is on exec-path.
;; Prints "ok N - …" / "not ok N - …" and "# pass N" / "# fail N"; exits
;; non-zero if a check failed.

(require 'cl-lib)
(require 'eglot)
(require 'flymake)
(require 'xref)
(require 'markdown-mode)

(defvar check-pass 0)
(defvar check-fail 0)
(defvar check-n 0)

(defun check-report (ok what &optional detail)
  (setq check-n (1+ check-n))
  (if ok (setq check-pass (1+ check-pass)) (setq check-fail (1+ check-fail)))
  (princ (format "%s %d - %s\n" (if ok "ok" "not ok") check-n what))
  (when (and (not ok) detail) (princ (format "  # %s\n" detail))))

(defun check-wait (pred seconds)
  "Process events until PRED returns non-nil or SECONDS pass; PRED's value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun check-goto (line col)
  (goto-char (point-min))
  (forward-line (1- line))
  (forward-char col))

(defun check-messages ()
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(let* ((ws (file-name-as-directory (getenv "WORKLOG_WS")))
       (log (expand-file-name "Auth-WorkLog-v4.md" ws))
       (start (float-time))
       server)
  (find-file log)
  (check-report (derived-mode-p 'markdown-mode) "the log opens in markdown-mode" major-mode)
  ;; eglot-ensure connects from post-command-hook, which batch mode never runs.
  (run-hooks 'post-command-hook)
  (setq server (check-wait #'eglot-current-server 20))
  (check-report (and server (equal (project-root (eglot--project server)) ws))
                "eglot started worklog-ls with the worklog.toml folder as the project root"
                (and server (project-root (eglot--project server))))
  (check-report (and server (string-match-p "worklog-ls" (format "%S" (process-command (jsonrpc--process server)))))
                "the server process is worklog-ls --stdio"
                (and server (process-command (jsonrpc--process server))))

  ;; Diagnostics, through flymake.
  (let ((found (check-wait (lambda () (cl-find-if (lambda (m) (string-match-p "bad-priority" m)) (check-messages))) 20)))
    (check-report (and found (string-match-p "\\`worklog \\[bad-priority\\]: `\\[high\\]` is not a priority" found))
                  "flymake shows worklog [bad-priority] on `[high]`"
                  (check-messages))
    (when found
      (princ (format "  # first diagnostic %.1f s after opening the log\n" (- (float-time) start)))
      (let ((d (cl-find-if (lambda (d) (string-match-p "bad-priority" (flymake-diagnostic-text d))) (flymake-diagnostics))))
        (check-report (and d (= (line-number-at-pos (flymake-diagnostic-beg d)) 52)
                           (eq (flymake-diagnostic-type d) 'eglot-error))
                      "the diagnostic is an error on line 52"
                      (and d (list (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-type d)))))))

  ;; Completion: a path inside backticks, through the completion-at-point function.
  (check-goto 56 0)
  (end-of-line)
  (insert "\n- [MED] Check `src/rou")
  (let* ((capf (eglot-completion-at-point))
         (prefix (and capf (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))))
         (candidates (and capf (all-completions prefix (nth 2 capf)))))
    (check-report (member "src/routes/auth.ts" candidates)
                  "completion at `src/rou offers src/routes/auth.ts"
                  (list :prefix prefix :candidates candidates)))
  (delete-region (line-beginning-position) (1+ (line-end-position)))
  (backward-delete-char 1)

  ;; Definition (M-.): the reference opens the file with point on line 84.
  (goto-char (point-min))
  (search-forward "+: src/auth/service.ts:84-145")
  (backward-char 8)
  (let ((from (current-buffer)))
    (condition-case err
        (progn
          (call-interactively #'xref-find-definitions)
          (check-report (and (not (eq (current-buffer) from))
                             (string-suffix-p "src/auth/service.ts" (or buffer-file-name ""))
                             (= (line-number-at-pos) 84))
                        "M-. on src/auth/service.ts:84-145 opens src/auth/service.ts at line 84"
                        (list buffer-file-name (line-number-at-pos))))
      (error (check-report nil "M-. on src/auth/service.ts:84-145" err)))
    (switch-to-buffer from))

  ;; Hover (what eldoc shows): the referenced lines.
  (let* ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
         (text (format "%S" (plist-get hover :contents))))
    (check-report (string-match-p "service\\.ts" text) "hover on the reference previews src/auth/service.ts"
                  (substring text 0 (min 300 (length text)))))

  ;; Code actions: the quick fix for `[high]`, applied (M-x eglot-code-actions).
  (check-goto 52 3)
  (let* ((actions (eglot-code-actions (point) (1+ (point))))
         (fix (cl-find-if (lambda (a) (string-match-p "\\[HIGH\\]" (plist-get a :title))) actions)))
    (check-report fix "a code action on `[high]` offers `[HIGH]`" (mapcar (lambda (a) (plist-get a :title)) actions))
    (when fix
      (eglot--apply-workspace-edit (plist-get fix :edit))
      (check-goto 52 0)
      (check-report (looking-at-p "- \\[HIGH\\] Code review") "applying it writes `[HIGH]`"
                    (buffer-substring-no-properties (point) (line-end-position)))
      ;; Idle timers never fire in batch mode: send the change and restart
      ;; flymake by hand, as eglot and flymake do after 0.5 s of idleness.
      (eglot--signal-textDocument/didChange)
      (flymake-start)
      (check-report (check-wait (lambda () (not (cl-find-if (lambda (m) (string-match-p "bad-priority" m)) (check-messages)))) 10)
                    "then the bad-priority diagnostic disappears" (check-messages))))

  ;; imenu (eglot's document symbols).
  (let* ((index (ignore-errors (funcall imenu-create-index-function)))
         (names (format "%S" index)))
    (check-report (string-match-p "v4" names) "imenu lists the server's entry v4" (substring names 0 (min 400 (length names)))))

  (ignore-errors (eglot-shutdown server))
  (princ (format "# pass %d\n# fail %d\n" check-pass check-fail))
  (kill-emacs (if (= check-fail 0) 0 1)))
