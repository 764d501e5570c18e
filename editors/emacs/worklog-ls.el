;;; worklog-ls.el --- worklog-ls in Emacs through eglot  -*- lexical-binding: t; -*-

;; Work Log diagnostics, completion, go-to-definition, hover, code actions and
;; imenu in Markdown buffers, from the worklog-ls language server.
;; Needs eglot (built in since Emacs 29; `elpa-eglot' or GNU ELPA before) and
;; markdown-mode, and `worklog-ls' on `exec-path'. Put this in your init file
;; or load it: (load "/path/to/worklog-ls/editors/emacs/worklog-ls.el")

(require 'eglot)
(require 'project)

;; 1. Start worklog-ls for Markdown buffers.  The server decides which of them
;;    are Work Logs; other Markdown files get no Work Log diagnostics.
(add-to-list 'eglot-server-programs
             '((markdown-mode gfm-mode) . ("worklog-ls" "--stdio")))
(add-hook 'markdown-mode-hook #'eglot-ensure)
(add-hook 'gfm-mode-hook #'eglot-ensure)

;; 2. A folder holding worklog.toml is a project of its own (the root the
;;    server uses too); elsewhere eglot uses the version-control root.
(defun worklog-ls-project-find (dir)
  "The folder above DIR that holds worklog.toml, as a transient project."
  (let ((root (locate-dominating-file dir "worklog.toml")))
    (and root (cons 'transient (expand-file-name root)))))
(add-hook 'project-find-functions #'worklog-ls-project-find)

;; 3. Settings (optional), section `worklog', as in every other editor:
;; (setq-default eglot-workspace-configuration
;;               '(:worklog (:severities (:missing-priority "off")
;;                           :references "all")))

(provide 'worklog-ls)
;;; worklog-ls.el ends here
